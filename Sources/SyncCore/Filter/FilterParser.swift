/// Parses rsync's filter syntax: `--filter` rules (`+ PAT`, `- PAT`, `include PAT`,
/// `exclude PAT`, `P`/`protect`, `H`/`hide`, `R`/`risk`, `S`/`show`, `!`/`clear`), and the
/// `--exclude`/`--include` forms, which also accept a `+ ` or `- ` prefix.
public enum FilterParser {
    public enum Source: Sendable {
        case filter, exclude, include
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let rule: String
        public let reason: String
        public var description: String { "invalid filter rule \"\(rule)\": \(reason)" }
    }

    /// Adds the rule in `text` to `list`. `deleteExcluded` makes include/exclude rules
    /// sender-only, as rsync's `--delete-excluded` does.
    public static func add(_ text: String, as source: Source, deleteExcluded: Bool, to list: inout FilterList) throws(ParseError) {
        try add(bytes: Array(text.utf8), as: source, deleteExcluded: deleteExcluded, to: &list)
    }

    /// The same for a rule as raw bytes (rule files may name files that are not UTF-8).
    public static func add(bytes: [UInt8], as source: Source, deleteExcluded: Bool, to list: inout FilterList) throws(ParseError) {
        var rule = bytes
        let text = String(decoding: bytes, as: UTF8.self)
        if source != .filter {
            if rule.starts(with: "+ ".utf8) {
                rule.removeFirst(2)
                list.append(FilterRule(action: .include, patternBytes: rule, sender: true, receiver: !deleteExcluded))
                return
            }
            if rule.starts(with: "- ".utf8) {
                rule.removeFirst(2)
                list.append(FilterRule(action: .exclude, patternBytes: rule, sender: true, receiver: !deleteExcluded))
                return
            }
            if rule == [UInt8(ascii: "!")] { list.clear(); return }
            let action: FilterRule.Action = source == .include ? .include : .exclude
            list.append(FilterRule(action: action, patternBytes: rule, sender: true, receiver: !deleteExcluded))
            return
        }
        // --filter: "RULE[,MODIFIERS] PATTERN" or "RULE_PATTERN" with '_' separator.
        let space = rule.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "_") })
        let head = String(decoding: space.map { rule[..<$0] } ?? rule[...], as: UTF8.self)
        let pattern = space.map { Array(rule[(rule.index(after: $0))...]) } ?? []
        var name = head
        var modifiers = ""
        if let comma = head.firstIndex(of: ",") {
            name = String(head[..<comma])
            modifiers = String(head[head.index(after: comma)...])
        } else if head.count > 1, let first = head.first, "+-PHRS".contains(first) {
            name = String(first)
            modifiers = String(head.dropFirst())
        }
        let action: FilterRule.Action
        var sender = true, receiver = !deleteExcluded
        switch name {
        case "+", "include": action = .include
        case "-", "exclude": action = .exclude
        case "P", "protect": action = .exclude; sender = false; receiver = true
        case "R", "risk": action = .include; sender = false; receiver = true
        case "H", "hide": action = .exclude; sender = true; receiver = false
        case "S", "show": action = .include; sender = true; receiver = false
        case "!", "clear":
            list.clear()
            return
        case ".", ":", "merge", "dir-merge":
            throw ParseError(rule: text, reason: "merge-file rules are not supported")
        default:
            throw ParseError(rule: text, reason: "unknown rule type \"\(name)\"")
        }
        for m in modifiers {
            switch m {
            case "s": sender = true; receiver = false
            case "r": sender = false; receiver = true
            case "/", "!", "C", "e", "n", "w", "x", "p":
                throw ParseError(rule: text, reason: "modifier \"\(m)\" is not supported")
            default:
                throw ParseError(rule: text, reason: "unknown modifier \"\(m)\"")
            }
        }
        if pattern.isEmpty { throw ParseError(rule: text, reason: "missing pattern") }
        list.append(FilterRule(action: action, patternBytes: pattern, sender: sender, receiver: receiver))
    }

    /// Splits the contents of an `--exclude-from`/`--include-from` file into rules, as rsync
    /// reads them: lines end at LF or CR (at NUL with `nulSeparated`, `-0`); blank lines and lines
    /// starting with `#` or `;` are ignored in both modes. Rules stay raw bytes.
    public static func lines(ofRuleFile bytes: [UInt8], nulSeparated: Bool) -> [[UInt8]] {
        let isSeparator: (UInt8) -> Bool = nulSeparated ? { $0 == 0 } : { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        var result: [[UInt8]] = []
        for line in bytes.split(whereSeparator: isSeparator) {
            if line.first == UInt8(ascii: "#") || line.first == UInt8(ascii: ";") { continue }
            result.append(Array(line))
        }
        return result
    }
}
