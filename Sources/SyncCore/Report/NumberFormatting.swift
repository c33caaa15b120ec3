/// Numbers as rsync prints them: digit groups by default (`12,345,678`), `-h` units
/// (`12.35M`, powers of 1000), and fixed decimals for rates and times.
public enum NumberFormatting {
    public static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// `-h`'s units: powers of 1000, or of 1024 (`%'''l`).
    public static func human(_ n: Double, base: Double = 1000) -> String {
        let units = ["K", "M", "G", "T", "P"]
        if n < base { return grouped(Int64(n)) }
        var value = n
        var unit = -1
        while value >= base && unit < units.count - 1 {
            value /= base
            unit += 1
        }
        return fixed(value, decimals: 2, grouping: false) + units[unit]
    }

    public static func size(_ n: Int64, human: Bool) -> String {
        human ? Self.human(Double(n)) : grouped(n)
    }

    /// `value` with exactly `decimals` decimals and grouped integer digits.
    public static func fixed(_ value: Double, decimals: Int, grouping: Bool = true) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((value.magnitude * Double(scale)).rounded())
        let whole = scaled / scale
        let fractionText = String(scaled % scale)
        let padded = String(repeating: "0", count: max(0, decimals - fractionText.count)) + fractionText
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return sign + (grouping ? grouped(whole) : String(whole)) + (decimals > 0 ? "." + padded : "")
    }

    /// Seconds with three decimals, no grouping, as rsync prints times.
    public static func seconds(_ value: Double) -> String {
        let ms = Int64((value * 1000).rounded())
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Parses rsync size arguments: `100`, `1k`, `1.5M`, `2G`, `1KB` (1000-based), `1KiB`.
    /// A bare number is bytes unless `defaultUnit` (e.g. 1024 for `--bwlimit`) says otherwise.
    public static func parseSize(_ text: String, defaultUnit: Double = 1) -> Double? {
        var number = ""
        var suffix = ""
        for ch in text {
            if suffix.isEmpty && (ch.isNumber || ch == ".") { number.append(ch) } else { suffix.append(ch) }
        }
        guard let value = Double(number) else { return nil }
        var adjust = 0.0
        if suffix.hasSuffix("+1") { adjust = 1; suffix.removeLast(2) } else if suffix.hasSuffix("-1") { adjust = -1; suffix.removeLast(2) }
        let lower = suffix.lowercased()
        guard let letter = lower.first else { return value * defaultUnit + adjust }
        let powers: [Character: Double] = ["b": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5]
        guard let power = powers[letter] else { return nil }
        let rest = lower.dropFirst()
        let base: Double
        switch rest {
        case "", "ib": base = 1024
        case "b": base = 1000
        default: return nil
        }
        var multiplier = 1.0
        for _ in 0..<Int(power) { multiplier *= base }
        return value * multiplier + adjust
    }
}
