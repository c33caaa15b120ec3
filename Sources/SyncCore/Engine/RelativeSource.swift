/// A source argument under `-R/--relative`: the directory its path is read from (the anchor)
/// and the path it keeps under the destination.
///
/// rsync's rules: `/./` marks where the kept path starts (`/var/./log/nginx` keeps
/// `log/nginx`, read from `/var/`); otherwise an absolute path keeps everything but its leading
/// `/`, and a relative one is kept whole. A leading `./`, or nothing after `/./`, sends the
/// anchor itself as well (its attributes become the destination's). A `..` in the kept path
/// is refused, as it would climb out of the destination.
public struct RelativeSource: Sendable, Equatable {
    /// Where the kept path is read from: `/`, `.`, or the part before `/./` (with its slash).
    public var anchor: String
    /// The kept path, cleaned of `.` components and repeated slashes; empty for the anchor's
    /// own contents (`dir/./`).
    public var path: [UInt8]
    /// The argument ended with `/` (its contents are listed, as for `--files-from`).
    public var trailingSlash: Bool
    /// The anchor directory itself is sent.
    public var sendsAnchor: Bool

    /// Why an argument cannot be sent under `-R`.
    public struct Refusal: Error, Sendable, Equatable {
        public let message: String
    }

    public init(_ argument: String) throws(Refusal) {
        let bytes = Array(argument.utf8)
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var kept: ArraySlice<UInt8>
        if let marker = Self.firstDotComponent(in: bytes) {
            anchor = marker == 0 ? "/" : String(decoding: bytes[..<(marker + 1)], as: UTF8.self)
            kept = bytes[(marker + 2)...]
            sendsAnchor = kept.allSatisfy { $0 == slash }
        } else if bytes == [dot] || bytes.starts(with: [dot, slash]) {
            anchor = "."
            kept = bytes[...]
            sendsAnchor = true
        } else if bytes.first == slash {
            anchor = "/"
            kept = bytes.drop { $0 == slash }
            sendsAnchor = false
        } else {
            anchor = "."
            kept = bytes[...]
            sendsAnchor = false
        }
        let components = kept.split(separator: slash).filter { !$0.elementsEqual([dot]) }
        if components.contains(where: { $0.elementsEqual([dot, dot]) }) {
            throw Refusal(message: "found \"..\" dir in relative path: \(argument)")
        }
        path = Array(components.joined(separator: [slash]))
        trailingSlash = bytes.last == slash || bytes.suffix(2).elementsEqual([slash, dot])
    }

    /// The `/` before the first `/./` (or `/.` at the end) in `bytes`.
    static func firstDotComponent(in bytes: [UInt8]) -> Int? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == slash && bytes[i + 1] == dot && (i + 2 == bytes.count || bytes[i + 2] == slash) { return i }
            i += 1
        }
        return nil
    }

    /// The first component of the kept path: the name at the top of the destination.
    public var topName: [UInt8] { Array(path.prefix { $0 != UInt8(ascii: "/") }) }
}
