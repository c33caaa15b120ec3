#if canImport(Glibc)
import Glibc
#endif

/// The project's one clock: monotonic seconds for elapsed times, deadlines and pacing, the
/// wall clock for timestamps, and a sleep that a signal does not cut short.
///
/// Everything that measures or waits goes through here, so there is one place to look when a
/// timeout or a rate is wrong, and one to replace in a test.
public enum SystemClock {
    /// Seconds on a clock that never jumps (for elapsed times and deadlines).
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The wall-clock time (for timestamps that people and other programs read).
    public static func now() -> FileTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return FileTime(seconds: Int64(ts.tv_sec), nanoseconds: Int32(ts.tv_nsec))
    }

    /// Sleeps `seconds` (nothing for zero or less). A signal that interrupts the sleep does not
    /// end it early: the rest is slept (callers that must notice a signal sleep in short slices).
    public static func sleep(seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        let whole = seconds.rounded(.down)
        var request = timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }

    /// `seconds` since the epoch as text by a strftime `pattern`, in UTC or the local time zone.
    public static func format(_ seconds: Int64, pattern: String, utc: Bool) -> String {
        var time = time_t(seconds)
        var parts = tm()
        if utc { gmtime_r(&time, &parts) } else { localtime_r(&time, &parts) }
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
