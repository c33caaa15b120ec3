/// rsync's `--chmod` language: comma-separated clauses, each optionally limited to
/// directories (`D`) or files (`F`), in symbolic (`u+rwx`, `go-w`, `a=rX`) or octal form.
public struct ChmodRules: Sendable, Equatable {
    struct Clause: Sendable, Equatable {
        enum Target: Sendable, Equatable { case all, directories, files }
        var target: Target
        var who: UInt32   // mask of affected bits (ugo)
        var op: Character // + - = or "o" for octal
        var bits: UInt32
        var conditionalExecute: Bool // X
        var octal: UInt32?
    }

    var clauses: [Clause]

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "invalid --chmod argument \"\(text)\"" }
    }

    public init(_ text: String) throws(ParseError) {
        clauses = []
        for part in text.split(separator: ",") {
            var s = Substring(part)
            var target = Clause.Target.all
            if s.first == "D" { target = .directories; s = s.dropFirst() } else if s.first == "F" { target = .files; s = s.dropFirst() }
            if let octal = UInt32(s, radix: 8), !s.isEmpty, s.allSatisfy({ $0.isNumber }) {
                clauses.append(Clause(target: target, who: 0o7777, op: "o", bits: 0, conditionalExecute: false, octal: octal))
                continue
            }
            var who: UInt32 = 0
            while let c = s.first, "ugoa".contains(c) {
                switch c {
                case "u": who |= 0o4700
                case "g": who |= 0o2070
                case "o": who |= 0o1007
                default: who |= 0o7777
                }
                s = s.dropFirst()
            }
            var sawOp = false
            while let op = s.first, "+-=".contains(op) {
                sawOp = true
                s = s.dropFirst()
                var bits: UInt32 = 0
                var cx = false
                while let c = s.first, "rwxXst".contains(c) {
                    switch c {
                    case "r": bits |= 0o444
                    case "w": bits |= 0o222
                    case "x": bits |= 0o111
                    case "X": cx = true
                    case "s": bits |= 0o6000
                    default: bits |= 0o1000
                    }
                    s = s.dropFirst()
                }
                clauses.append(Clause(target: target, who: who == 0 ? 0o7777 : who, op: op, bits: bits, conditionalExecute: cx, octal: nil))
            }
            if !sawOp || !s.isEmpty { throw ParseError(text: text) }
        }
        if clauses.isEmpty { throw ParseError(text: text) }
    }

    /// Applies the rules to `mode` (permission bits) of a file or directory.
    public func apply(to mode: UInt32, isDirectory: Bool) -> UInt32 {
        var m = mode
        for c in clauses {
            if c.target == .directories && !isDirectory { continue }
            if c.target == .files && isDirectory { continue }
            if let octal = c.octal { m = octal; continue }
            var bits = c.bits
            if c.conditionalExecute && (isDirectory || m & 0o111 != 0) { bits |= 0o111 }
            bits &= c.who
            switch c.op {
            case "+": m |= bits
            case "-": m &= ~bits
            default: m = (m & ~(c.who & 0o777)) | bits  // '=' leaves set-id and sticky bits alone
            }
        }
        return m & 0o7777
    }
}
