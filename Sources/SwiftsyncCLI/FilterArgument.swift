import SyncCore

/// One filter-related option as it appeared on the command line; rsync applies them in that
/// order (first match wins), which separate option arrays would lose.
enum FilterArgument: Equatable {
    case rule(String, FilterParser.Source)
    case ruleFile(String, FilterParser.Source)

    /// Scans raw arguments for filter options, keeping their order.
    static func scan(_ arguments: [String]) -> [FilterArgument] {
        var result: [FilterArgument] = []
        var index = 0
        let long: [(String, (String) -> FilterArgument)] = [
            ("--exclude", { .rule($0, .exclude) }), ("--include", { .rule($0, .include) }),
            ("--filter", { .rule($0, .filter) }), ("--exclude-from", { .ruleFile($0, .exclude) }),
            ("--include-from", { .ruleFile($0, .include) }),
        ]
        while index < arguments.count {
            let arg = arguments[index]
            index += 1
            if arg == "--" { break }
            var matched = false
            for (name, make) in long {
                if arg == name, index < arguments.count {
                    result.append(make(arguments[index]))
                    index += 1
                    matched = true
                } else if arg.hasPrefix(name + "=") {
                    result.append(make(String(arg.dropFirst(name.count + 1))))
                    matched = true
                }
                if matched { break }
            }
            if matched || arg.hasPrefix("--") || !arg.hasPrefix("-") || arg == "-" { continue }
            // Short options: -f RULE, -fRULE, or -f at the end of a group (-avf RULE).
            let letters = Array(arg.dropFirst())
            if let f = letters.firstIndex(of: "f") {
                let rest = String(letters[(f + 1)...])
                if !rest.isEmpty {
                    result.append(.rule(rest, .filter))
                } else if index < arguments.count {
                    result.append(.rule(arguments[index], .filter))
                    index += 1
                }
            }
        }
        return result
    }
}
