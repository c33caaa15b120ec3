/// The XML that S3 and EC2 answer with, read into a small element tree. Their documents are
/// plain: elements, text and the five named entities plus numeric ones; no DTDs, no mixed
/// content that matters. A pure parser, so every response shape is tested without a server.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLNode]

    public init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child named `name`.
    public subscript(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    /// Every child named `name`.
    public func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    /// The text of the first child named `name`.
    public func text(_ name: String) -> String? { self[name]?.text }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let reason: String
        public let offset: Int
        public var description: String { "malformed XML at byte \(offset): \(reason)" }
    }

    /// Parses a document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> XMLNode {
        var parser = Parser(bytes: bytes)
        return try parser.document()
    }

    public static func parse(_ text: String) throws(ParseError) -> XMLNode { try parse(Array(text.utf8)) }
}

private struct Parser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ reason: String) -> XMLNode.ParseError { XMLNode.ParseError(reason: reason, offset: i) }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    func starts(_ text: String) -> Bool {
        let t = Array(text.utf8)
        return i + t.count <= bytes.count && Array(bytes[i..<(i + t.count)]) == t
    }

    mutating func skip(past text: String) throws(XMLNode.ParseError) {
        let t = Array(text.utf8)
        while i + t.count <= bytes.count {
            if Array(bytes[i..<(i + t.count)]) == t { i += t.count; return }
            i += 1
        }
        throw fail("unterminated construct, expected \(text)")
    }

    /// Skips the prolog, comments and processing instructions between elements.
    mutating func skipMisc() throws(XMLNode.ParseError) {
        while true {
            skipSpace()
            if starts("<?") { try skip(past: "?>") } else if starts("<!--") { try skip(past: "-->") } else if starts("<!") { try skip(past: ">") } else { return }
        }
    }

    mutating func document() throws(XMLNode.ParseError) -> XMLNode {
        if starts("\u{FEFF}") { i += 3 }
        try skipMisc()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element()
        try skipMisc()
        guard i == bytes.count else { throw fail("content after the root element") }
        return root
    }

    mutating func name() throws(XMLNode.ParseError) -> String {
        let start = i
        while i < bytes.count, !" \t\r\n/>=".utf8.contains(bytes[i]) { i += 1 }
        guard i > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func element() throws(XMLNode.ParseError) -> XMLNode {
        i += 1  // "<"
        var node = XMLNode(name: try name())
        // Attributes (namespaces and the like) carry nothing we need: skip them, quotes aware.
        while true {
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated start tag <\(node.name)>") }
            if bytes[i] == UInt8(ascii: "/") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { throw fail("expected />") }
                i += 2
                return node
            }
            if bytes[i] == UInt8(ascii: ">") { i += 1; break }
            _ = try name()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("expected = in an attribute") }
            i += 1
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { throw fail("expected a quoted value") }
            let quote = bytes[i]
            i += 1
            while i < bytes.count, bytes[i] != quote { i += 1 }
            guard i < bytes.count else { throw fail("unterminated attribute value") }
            i += 1
        }
        var text: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated element <\(node.name)>") }
            let byte = bytes[i]
            if byte == UInt8(ascii: "<") {
                if starts("</") {
                    i += 2
                    let closing = try name()
                    guard closing == node.name else { throw fail("</\(closing)> closes <\(node.name)>") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("expected >") }
                    i += 1
                    node.text = String(decoding: text, as: UTF8.self)
                    return node
                } else if starts("<![CDATA[") {
                    i += 9
                    let start = i
                    try skip(past: "]]>")
                    text += bytes[start..<(i - 3)]
                } else if starts("<!--") || starts("<?") {
                    try skipMisc()
                } else {
                    node.children.append(try element())
                }
            } else if byte == UInt8(ascii: "&") {
                text += try entity()
            } else {
                text.append(byte)
                i += 1
            }
        }
    }

    mutating func entity() throws(XMLNode.ParseError) -> [UInt8] {
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: ";"), i - start < 12 { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: ";") else { i = start; throw fail("unterminated entity") }
        let body = String(decoding: bytes[(start + 1)..<i], as: UTF8.self)
        i += 1
        switch body {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            var value: UInt32?
            if body.hasPrefix("#x") || body.hasPrefix("#X") { value = UInt32(body.dropFirst(2), radix: 16) } else if body.hasPrefix("#") { value = UInt32(body.dropFirst(), radix: 10) }
            guard let value, let scalar = Unicode.Scalar(value) else { throw fail("unknown entity &\(body);") }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
