/// POSIX shell quoting, for the command lines swiftsync prints before it runs them and for the
/// commands it writes into cron files: a word that needs no quoting stays as it is, any other is
/// put in single quotes (a `'` inside becomes `'\''`), so `sh -c` reads back the same words.
public enum ShellQuoting {
    /// Bytes that never need quoting.
    static let plain = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-".unicodeScalars)

    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.unicodeScalars.allSatisfy({ plain.contains($0) }) { return word }
        return "'" + word.replacingAll("'", with: "'\\''") + "'"
    }

    /// The words quoted and joined by spaces.
    public static func line(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation in the `swiftsync` executable).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
