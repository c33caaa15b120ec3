/// rsync's `--no-OPTION` forms (`-a --no-o --no-g`, `--no-perms`...), taken out of the
/// arguments before parsing and applied after `-a` has set its defaults.
struct Negations: Equatable {
    /// The canonical names turned off, e.g. "owner".
    private(set) var names: Set<String> = []

    static let aliases: [String: String] = [
        "o": "owner", "owner": "owner", "g": "group", "group": "group",
        "p": "perms", "perms": "perms", "t": "times", "times": "times",
        "l": "links", "links": "links", "D": "D", "devices": "devices", "specials": "specials",
        "r": "recursive", "recursive": "recursive", "H": "hard-links", "hard-links": "hard-links",
        "S": "sparse", "sparse": "sparse", "x": "one-file-system", "one-file-system": "one-file-system",
        "U": "atimes", "atimes": "atimes", "c": "checksum", "checksum": "checksum",
        "v": "verbose", "verbose": "verbose", "i": "itemize-changes", "itemize-changes": "itemize-changes",
        "L": "copy-links", "copy-links": "copy-links", "inplace": "inplace", "partial": "partial",
        "delete": "delete", "progress": "progress", "human-readable": "human-readable", "h": "human-readable",
        "mkpath": "mkpath", "numeric-ids": "numeric-ids", "u": "update", "update": "update",
    ]

    /// Splits `--no-X` arguments (for known X) from the rest. `--no-W`/`--no-whole-file` stay
    /// in the arguments: they are options of their own.
    static func extract(_ arguments: [String]) -> (remaining: [String], negations: Negations) {
        var remaining: [String] = []
        var negations = Negations()
        var afterDoubleDash = false
        for arg in arguments {
            if afterDoubleDash || arg == "--" {
                afterDoubleDash = true
                remaining.append(arg)
                continue
            }
            if arg.hasPrefix("--no-"), let name = aliases[String(arg.dropFirst(5))] {
                negations.names.insert(name)
            } else if arg == "--no-W" {
                remaining.append("--no-whole-file")
            } else {
                remaining.append(arg)
            }
        }
        return (remaining, negations)
    }

    func contains(_ name: String) -> Bool { names.contains(name) }
}
