/// A cron schedule checked field by field as cron(8) reads it (Debian's Vixie cron and cronie
/// agree on this much): five fields — minute 0–59, hour 0–23, day of month 1–31, month 1–12
/// or `jan`–`dec`, day of week 0–7 or `sun`–`sat` (0 and 7 are Sunday) — each a list of `*`,
/// numbers, names and ranges `a-b`, where `*` and ranges may take a step `/n`; or one of the
/// `@` keywords. A schedule cron would ignore or misread is refused with the reason.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The schedule as written into the file: fields separated by single spaces.
    public let text: String

    public static let keywords: Set<String> = ["@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]

    struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
    }

    static let fields = [
        Field(name: "minute", range: 0...59, names: []),
        Field(name: "hour", range: 0...23, names: []),
        Field(name: "day of month", range: 1...31, names: []),
        Field(name: "month", range: 1...12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]),
        Field(name: "day of week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
    ]

    public var description: String { text }

    public init(parsing schedule: String) throws(ProvisionError) {
        let words = schedule.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if let first = words.first, first.hasPrefix("@") {
            guard words.count == 1, Self.keywords.contains(first.lowercased()) else {
                throw .usage("invalid schedule \"\(schedule)\": the @ forms are \(Self.keywords.sorted().joined(separator: ", "))")
            }
            text = first.lowercased()
            return
        }
        guard words.count == 5 else {
            throw .usage("invalid schedule \"\(schedule)\": expected 5 fields (minute hour day-of-month month day-of-week), got \(words.count)")
        }
        for (word, field) in zip(words, Self.fields) {
            if let reason = Self.problem(in: word, field: field) {
                throw .usage("invalid schedule \"\(schedule)\": \(field.name) field \"\(word)\": \(reason)")
            }
        }
        text = words.joined(separator: " ")
    }

    /// Why `word` is not a valid `field`, or nil when it is.
    static func problem(in word: String, field: Field) -> String? {
        let items = word.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            guard !item.isEmpty else { return "empty list item" }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return "more than one step in \"\(item)\"" }
            let base = parts[0]
            if parts.count == 2 {
                guard let step = Int(parts[1]), parts[1].allSatisfy(\.isASCII), step >= 1, step <= field.range.upperBound + 1 else {
                    return "step \"\(parts[1])\" must be a number from 1 to \(field.range.upperBound + 1)"
                }
                guard base == "*" || base.contains("-") else { return "a step needs * or a range before it (\"*/\(parts[1])\")" }
            }
            if base == "*" { continue }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { return "malformed range \"\(base)\"" }
            var values: [Int] = []
            for bound in bounds {
                switch value(of: bound, in: field) {
                case .success(let v): values.append(v)
                case .failure(let reason): return reason.message
                }
            }
            if values.count == 2, values[0] > values[1] { return "range \"\(base)\" runs backwards" }
        }
        return nil
    }

    struct Reason: Error { let message: String }

    static func value(of text: Substring, in field: Field) -> Result<Int, Reason> {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let v = Int(text), field.range.contains(v) else {
                return .failure(Reason(message: "\(text) is out of range \(field.range.lowerBound)-\(field.range.upperBound)"))
            }
            return .success(v)
        }
        if let index = field.names.firstIndex(of: text.lowercased()) {
            return .success(field.range.lowerBound + index)
        }
        let allowed = field.names.isEmpty ? "" : " or a name (\(field.names.first!)…\(field.names.last!))"
        return .failure(Reason(message: "\"\(text)\" is not a number\(allowed)"))
    }
}
