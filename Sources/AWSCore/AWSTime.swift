#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// A UTC time in the two forms SigV4 uses (`20150830T123600Z`, `20150830`), computed from
/// seconds since the epoch without a calendar library.
public struct AWSTime: Sendable, Equatable {
    public let secondsSinceEpoch: Int64
    /// `YYYYMMDD'T'HHMMSS'Z'`
    public let basic: String
    /// `YYYYMMDD`
    public let date: String

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
        let (y, m, d, hh, mm, ss) = Self.civil(secondsSinceEpoch)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        date = pad(y, 4) + pad(m, 2) + pad(d, 2)
        basic = date + "T" + pad(hh, 2) + pad(mm, 2) + pad(ss, 2) + "Z"
    }

    /// Now, from the system clock.
    public static func now() -> AWSTime {
        AWSTime(secondsSinceEpoch: SystemClock.now().seconds)
    }

    /// Year, month, day, hour, minute, second of a Unix time (Howard Hinnant's civil_from_days).
    static func civil(_ seconds: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = Int(seconds - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day, rest / 3600, rest / 60 % 60, rest % 60)
    }

    /// Parses S3's ISO 8601 times (`2024-05-01T12:34:56.000Z`) to seconds since the epoch.
    public static func parseISO8601(_ text: String) -> Int64? {
        let digits = text.utf8.map { Int($0) - 48 }
        guard digits.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard (0...9).contains(digits[i]) else { return nil }
                v = v * 10 + digits[i]
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
              let hh = number(11..<13), let mm = number(14..<16), let ss = number(17..<19),
              isCivilTime(year: y, month: m, day: d, hour: hh, minute: mm, second: ss) else { return nil }
        return seconds(year: y, month: m, day: d, hour: hh, minute: mm, second: ss)
    }

    /// Parses HTTP dates (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 7231's IMF-fixdate: what
    /// `Last-Modified` holds) to seconds since the epoch.
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT" else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let clock = parts[4].split(separator: ":")
        guard let d = Int(parts[1]), let m = months.firstIndex(of: String(parts[2])), let y = Int(parts[3]), clock.count == 3,
              let hh = Int(clock[0]), let mm = Int(clock[1]), let ss = Int(clock[2]),
              isCivilTime(year: y, month: m + 1, day: d, hour: hh, minute: mm, second: ss) else { return nil }
        return seconds(year: y, month: m + 1, day: d, hour: hh, minute: mm, second: ss)
    }

    /// Whether the fields can be a time a server means (years 0 to 9999, a leap second
    /// allowed): anything else from a server is rejected, not fed to arithmetic that would
    /// overflow on `Wed, 1 Oct 77777777777777772 4:8:0 GMT` (found by the http-date fuzz target).
    static func isCivilTime(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Bool {
        (0...9999).contains(year) && (1...12).contains(month) && (1...31).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
    }

    /// Seconds since the epoch of a UTC civil time (Howard Hinnant's days_from_civil).
    static func seconds(year y: Int, month m: Int, day d: Int, hour hh: Int, minute mm: Int, second ss: Int) -> Int64 {
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Int64(days) * 86_400 + Int64(hh * 3600 + mm * 60 + ss)
    }
}
