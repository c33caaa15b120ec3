import SyncSystem

/// Times for people (local) and for programs (ISO 8601, UTC).
public enum TimeText {
    /// `2024-05-01 03:00:12` in the local time zone.
    public static func local(_ seconds: Int64) -> String { format(seconds, "%Y-%m-%d %H:%M:%S", utc: false) }

    /// `2024-05-01T03:00:12Z`.
    public static func iso8601(_ seconds: Int64) -> String { format(seconds, "%Y-%m-%dT%H:%M:%SZ", utc: true) }

    /// `2024/05/01 03:00:12` in the local time zone, as rsync's log lines and `%t` show it.
    public static func log(_ seconds: Int64) -> String { format(seconds, "%Y/%m/%d %H:%M:%S", utc: false) }

    /// `2024/05/01-03:00:12` in the local time zone, as rsync's `%M` shows a file's time.
    public static func logModification(_ seconds: Int64) -> String { format(seconds, "%Y/%m/%d-%H:%M:%S", utc: false) }

    private static func format(_ seconds: Int64, _ pattern: String, utc: Bool) -> String {
        SystemClock.format(seconds, pattern: pattern, utc: utc)
    }
}
