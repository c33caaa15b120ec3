/// The INI dialect of `~/.aws/credentials`, `~/.aws/config` and `~/.boto`: `[section]` lines,
/// `key = value` (or `key: value`) lines, `#`/`;` comments, keys case-insensitive. Indented lines
/// (the config file's nested `s3 =` blocks) are skipped.
public struct INIFile: Sendable, Equatable {
    public private(set) var sections: [String: [String: String]] = [:]

    public init(parsing text: String) {
        var current: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) {
            if raw.first == " " || raw.first == "\t" { continue }
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.first == "#" || line.first == ";" { continue }
            if line.first == "[", line.last == "]" {
                let name = String(line.dropFirst().dropLast().trimmingSpaces())
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingSpaces().lowercased()
            let value = String(line[line.index(after: separator)...].trimmingSpaces())
            sections[section, default: [:]][key] = value
        }
    }

    public subscript(section: String, key: String) -> String? { sections[section]?[key.lowercased()] }
}
