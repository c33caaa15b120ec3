/// rsync's `--no-OPTION` forms (`-a --no-o --no-g`, `--no-perms`...), taken out of the
/// arguments before parsing and applied after `-a` has set its defaults.
///
/// rsync applies options in command-line order, so a `--no-X` only counts when no later
/// option turns X back on: `-a --no-perms` drops perms, `--no-perms -a` keeps them.
struct Negations: Equatable {
    /// The settings turned off, e.g. "owner" (`--no-D` turns off "devices" and "specials").
    private(set) var names: Set<String> = []

    /// The `--no-X` forms rsync accepts (`X` here), and the setting each turns off.
    static let aliases: [String: String] = [
        "o": "owner", "owner": "owner", "g": "group", "group": "group",
        "p": "perms", "perms": "perms", "t": "times", "times": "times",
        "l": "links", "links": "links", "D": "D", "devices": "devices", "specials": "specials",
        "r": "recursive", "recursive": "recursive", "H": "hard-links", "hard-links": "hard-links",
        "S": "sparse", "sparse": "sparse", "x": "one-file-system", "one-file-system": "one-file-system",
        "U": "atimes", "atimes": "atimes", "c": "checksum", "checksum": "checksum",
        "v": "verbose", "verbose": "verbose", "i": "itemize-changes", "itemize-changes": "itemize-changes",
        "inplace": "inplace", "partial": "partial", "progress": "progress",
        "human-readable": "human-readable", "h": "human-readable",
        "mkpath": "mkpath", "numeric-ids": "numeric-ids", "W": "whole-file", "whole-file": "whole-file",
        "z": "compress", "compress": "compress",
        "O": "omit-dir-times", "omit-dir-times": "omit-dir-times", "J": "omit-link-times", "omit-link-times": "omit-link-times",
        "R": "relative", "relative": "relative", "implied-dirs": "implied-dirs", "d": "dirs", "dirs": "dirs",
        "munge-links": "munge-links",
    ]

    /// For each setting, the options that turn it back on: long names and short letters.
    static let enablers: [String: (long: Set<String>, short: Set<Character>)] = [
        "owner": (["owner", "archive"], ["o", "a"]), "group": (["group", "archive"], ["g", "a"]),
        "perms": (["perms", "archive"], ["p", "a"]), "times": (["times", "archive"], ["t", "a"]),
        "links": (["links", "archive"], ["l", "a"]), "devices": (["devices", "archive"], ["D", "a"]),
        "specials": (["specials", "archive"], ["D", "a"]), "recursive": (["recursive", "archive"], ["r", "a"]),
        "hard-links": (["hard-links"], ["H"]), "sparse": (["sparse"], ["S"]),
        "one-file-system": (["one-file-system"], ["x"]), "atimes": (["atimes"], ["U"]),
        "checksum": (["checksum"], ["c"]), "verbose": (["verbose"], ["v"]),
        "itemize-changes": (["itemize-changes"], ["i"]), "inplace": (["inplace"], []),
        "partial": (["partial"], ["P"]), "progress": (["progress"], ["P"]),
        "human-readable": (["human-readable"], ["h"]), "mkpath": (["mkpath"], []),
        "numeric-ids": (["numeric-ids"], []), "whole-file": (["whole-file"], ["W"]),
        "compress": (["compress", "old-compress", "new-compress"], ["z"]),
        "omit-dir-times": (["omit-dir-times"], ["O"]), "omit-link-times": (["omit-link-times"], ["J"]),
        "relative": (["relative"], ["R"]), "implied-dirs": (["implied-dirs"], []), "dirs": (["dirs"], ["d"]),
        "munge-links": (["munge-links"], []),
    ]

    /// Options whose value is the next argument whatever it looks like (`--exclude -p` is a
    /// pattern, not `-p`); `-f` is the short one.
    private static let optionsTakingAnyValue: Set<String> = ["exclude", "include", "filter", "out-format", "log-format", "log-file-format"]

    /// Splits `--no-X` arguments (for known X) from the rest, keeping a negation only if no
    /// later option turns the setting back on. Everything after `--` is left alone.
    static func extract(_ arguments: [String]) -> (remaining: [String], negations: Negations) {
        var remaining: [String] = []
        var negations = Negations()
        var index = 0
        func keepNext() {
            if index < arguments.count { remaining.append(arguments[index]); index += 1 }
        }
        while index < arguments.count {
            let arg = arguments[index]
            index += 1
            if arg == "--" {
                remaining += arguments[(index - 1)...]
                break
            }
            if arg.hasPrefix("--no-"), let name = aliases[String(arg.dropFirst(5))] {
                negations.names.formUnion(name == "D" ? ["devices", "specials"] : [name])
                continue
            }
            remaining.append(arg)
            if arg.hasPrefix("--") {
                let long = String(arg.dropFirst(2).prefix { $0 != "=" })
                negations.names = negations.names.filter { enablers[$0]?.long.contains(long) != true }
                if optionsTakingAnyValue.contains(long), !arg.contains("=") { keepNext() }
            } else if arg.hasPrefix("-"), arg != "-" {
                let letters = Array(arg.dropFirst())
                for (position, letter) in letters.enumerated() {
                    // -f's value is the rest of the group, or the next argument.
                    if letter == "f" {
                        if position == letters.count - 1 { keepNext() }
                        break
                    }
                    negations.names = negations.names.filter { enablers[$0]?.short.contains(letter) != true }
                }
            }
        }
        return (remaining, negations)
    }

    func contains(_ name: String) -> Bool { names.contains(name) }
}
