#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `--bwlimit`: paces all transfers together to an average rate, by sleeping the writer
/// that got ahead. It runs on the engine's blocking-I/O threads, where sleeping is allowed.
public final class BandwidthLimiter: Sendable {
    public let bytesPerSecond: Double
    /// The longest sleep between looks at ``CancellationFlag``.
    static let slice = 0.05
    private let state: Mutex<(start: Double, bytes: Double)>

    public init(bytesPerSecond: Double) {
        self.bytesPerSecond = bytesPerSecond
        self.state = Mutex((start: Self.now(), bytes: 0))
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
            let wait = min(due - Self.now(), Self.slice)
            guard wait > 0 else { break }
            var ts = timespec(tv_sec: 0, tv_nsec: Int(wait * 1e9))
            _ = nanosleep(&ts, nil)
        }
        return !CancellationFlag.isSet
    }

    /// Monotonic seconds (for elapsed times).
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
