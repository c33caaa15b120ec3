/// An rsync wildcard pattern over raw bytes: `*` (no slash), `**` (anything), `?`, `[...]`
/// classes with `!`/`^` negation and ranges, and `\` escapes (only in a pattern that has a
/// wildcard: rsync compares the others literally). An unterminated `[` matches nothing.
public struct GlobPattern: Sendable, Equatable {
    public let bytes: [UInt8]
    /// Whether the pattern has any wildcard; literal patterns are compared directly.
    public let hasWildcards: Bool

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.hasWildcards = bytes.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    /// Whether the whole of `text` matches the whole pattern.
    public func matches<C: RandomAccessCollection>(_ text: C) -> Bool where C.Element == UInt8, C.Index == Int {
        if !hasWildcards { return bytes.elementsEqual(text) }
        return bytes.withUnsafeBufferPointer { p in
            Self.match(p, 0, text, text.startIndex)
        }
    }

    private static let star = UInt8(ascii: "*"), question = UInt8(ascii: "?"), slash = UInt8(ascii: "/")
    private static let open = UInt8(ascii: "["), close = UInt8(ascii: "]"), backslash = UInt8(ascii: "\\")

    private static func match<C: RandomAccessCollection>(_ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ t: C, _ ti: Int) -> Bool
    where C.Element == UInt8, C.Index == Int {
        var pi = pi, ti = ti
        while pi < p.count {
            let c = p[pi]
            switch c {
            case star:
                var end = pi
                while end < p.count && p[end] == star { end += 1 }
                let double = end - pi >= 2
                if end == p.count {
                    if double { return true }
                    var k = ti
                    while k < t.endIndex { if t[k] == slash { return false }; k += 1 }
                    return true
                }
                var k = ti
                while k <= t.endIndex {
                    if match(p, end, t, k) { return true }
                    if k == t.endIndex { break }
                    if !double && t[k] == slash { return false }
                    k += 1
                }
                return false
            case question:
                guard ti < t.endIndex, t[ti] != slash else { return false }
                pi += 1; ti += 1
            case open:
                guard ti < t.endIndex, t[ti] != slash else { return false }
                // An unterminated '[' makes the whole pattern match nothing, as in rsync.
                guard let (matched, next) = matchClass(p, pi, t[ti]) else { return false }
                if !matched { return false }
                pi = next; ti += 1
            case backslash where pi + 1 < p.count:
                guard ti < t.endIndex, t[ti] == p[pi + 1] else { return false }
                pi += 2; ti += 1
            default:
                guard ti < t.endIndex, t[ti] == c else { return false }
                pi += 1; ti += 1
            }
        }
        return ti == t.endIndex
    }

    /// Matches one byte against the class starting at `p[start] == "["`.
    /// Returns nil when the class is not terminated.
    private static func matchClass(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ ch: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count && (p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^")) { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count {
            var lo = p[i]
            if lo == close && !first { return (matched != negate, i + 1) }
            first = false
            if lo == open && i + 1 < p.count && p[i + 1] == UInt8(ascii: ":") {
                if let end = findClassNameEnd(p, i + 2) {
                    let name = String(decoding: UnsafeBufferPointer(rebasing: p[(i + 2)..<end]), as: UTF8.self)
                    if namedClass(name, ch) { matched = true }
                    i = end + 2
                    continue
                }
            }
            if lo == backslash && i + 1 < p.count { i += 1; lo = p[i] }
            if i + 2 < p.count && p[i + 1] == UInt8(ascii: "-") && p[i + 2] != close {
                var hi = p[i + 2]
                var step = 3
                if hi == backslash && i + 3 < p.count { hi = p[i + 3]; step = 4 }
                if ch >= lo && ch <= hi { matched = true }
                i += step
            } else {
                if ch == lo { matched = true }
                i += 1
            }
        }
        return nil
    }

    private static func findClassNameEnd(_ p: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int? {
        var j = from
        while j + 1 < p.count {
            if p[j] == UInt8(ascii: ":") && p[j + 1] == close { return j }
            j += 1
        }
        return nil
    }

    private static func namedClass(_ name: String, _ c: UInt8) -> Bool {
        let ch = Character(Unicode.Scalar(c))
        switch name {
        case "alpha": return ch.isASCII && ch.isLetter
        case "digit": return c >= 0x30 && c <= 0x39
        case "alnum": return ch.isASCII && (ch.isLetter || ch.isNumber)
        case "upper": return c >= 0x41 && c <= 0x5a
        case "lower": return c >= 0x61 && c <= 0x7a
        case "space": return c == 0x20 || (c >= 0x09 && c <= 0x0d)
        case "punct": return c > 0x20 && c < 0x7f && !(ch.isLetter || ch.isNumber)
        case "xdigit": return ch.isHexDigit
        default: return false
        }
    }
}
