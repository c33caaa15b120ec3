#if canImport(Glibc)
import Glibc
#endif

/// Times for people (local) and for programs (ISO 8601, UTC).
public enum TimeText {
    /// `2024-05-01 03:00:12` in the local time zone.
    public static func local(_ seconds: Int64) -> String { format(seconds, "%Y-%m-%d %H:%M:%S", utc: false) }

    /// `2024-05-01T03:00:12Z`.
    public static func iso8601(_ seconds: Int64) -> String { format(seconds, "%Y-%m-%dT%H:%M:%SZ", utc: true) }

    private static func format(_ seconds: Int64, _ pattern: String, utc: Bool) -> String {
        var time = time_t(seconds)
        var parts = tm()
        if utc { gmtime_r(&time, &parts) } else { localtime_r(&time, &parts) }
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
