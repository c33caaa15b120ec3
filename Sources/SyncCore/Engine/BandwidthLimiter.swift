#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `--bwlimit`: paces all transfers together to an average rate, by sleeping the writer
/// that got ahead. It runs on the engine's blocking-I/O threads, where sleeping is allowed.
public final class BandwidthLimiter: Sendable {
    public let bytesPerSecond: Double
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
        let wait = due - Self.now()
        if wait > 0 {
            var ts = timespec(tv_sec: Int(wait), tv_nsec: Int((wait - Double(Int(wait))) * 1e9))
            var remaining = timespec()
            while nanosleep(&ts, &remaining) == -1 && errno == EINTR && !CancellationFlag.isSet { ts = remaining }
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
