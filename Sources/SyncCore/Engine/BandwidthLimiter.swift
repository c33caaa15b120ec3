import Synchronization
import SyncSystem

/// `--bwlimit`: paces all transfers together to an average rate, by sleeping the writer
/// that got ahead. It runs on the engine's blocking-I/O threads, where sleeping is allowed.
public final class BandwidthLimiter: Sendable {
    public let bytesPerSecond: Double
    /// The longest sleep between looks at ``CancellationFlag``.
    static let slice = 0.05
    private let state: Mutex<(start: Double, bytes: Double)>

    public init(bytesPerSecond: Double) {
        self.bytesPerSecond = bytesPerSecond
        self.state = Mutex((start: SystemClock.monotonicSeconds(), bytes: 0))
    }

    /// Accounts `n` bytes and sleeps as long as the run is ahead of the rate. Returns `false`
    /// when the run was interrupted meanwhile.
    @discardableResult
    public func consume(_ n: Int) -> Bool {
        let due = state.withLock { s -> Double in
            s.bytes += Double(n)
            return s.start + s.bytes / bytesPerSecond
        }
        // Slept in short slices: a signal reaches some other thread, not this one, so only
        // looking at the flag often lets SIGINT/SIGTERM end a paced run promptly.
        while !CancellationFlag.isSet {
            let wait = min(due - SystemClock.monotonicSeconds(), Self.slice)
            guard wait > 0 else { break }
            SystemClock.sleep(seconds: wait)
        }
        return !CancellationFlag.isSet
    }
}
