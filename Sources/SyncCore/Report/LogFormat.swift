import SyncSystem

/// rsync's `--out-format`/`--log-file-format` template: text with `%` escapes, each with an
/// optional run of `'` (digit groups; two: units of 1000; three: units of 1024), an optional
/// `-` (left-align) and a width, and more `'` after the width, before the letter (`%'-12l`,
/// `%12'l`). A `%` not followed by that grammar and a known letter is printed as written, as
/// rsync prints it (`%q`, `%-'12l`); so are the daemon's escapes (`%a %h %u %P`) in a run
/// that has no daemon.
///
/// `-i` is this format with `%i %n%L`, `-v` with `%n%L`, and a log file's default is
/// `%i %n%L`; whether a format names `%i` decides which changes it reports (see
/// ``SyncReporter``).
public struct LogFormat: Sendable, Equatable {
    /// One escape's letter and what it shows.
    public enum Field: UInt8, Sendable, CaseIterable {
        /// `%o`: `send`, or `del.` for a deletion.
        case operation = 0x6F
        /// `%n`: the name (a `/` after a directory).
        case name = 0x6E
        /// `%f`: the sender's full path (without a leading `/`).
        case fullPath = 0x66
        /// `%l`: the file's length in bytes.
        case length = 0x6C
        /// `%b`: bytes of file data sent for it (literal data; whole files locally).
        case bytes = 0x62
        /// `%c`: bytes of block checksums read for a delta against the old version.
        case checksumBytes = 0x63
        /// `%C`: the full-file checksum of a transferred file (XXH3-128), else 32 spaces.
        case checksum = 0x43
        /// `%i`: the itemized change (`*deleting  ` for a deletion).
        case itemize = 0x69
        /// `%L`: ` -> TARGET` for a symlink, ` => TARGET` for a hard link.
        case link = 0x4C
        /// `%M`: the modification time, `YYYY/MM/DD-HH:MM:SS`.
        case modificationTime = 0x4D
        /// `%B`: the permission bits as `ls` shows them (`rwxr-xr-x`).
        case permissions = 0x42
        /// `%U`, `%G`: the numeric owner and group.
        case uid = 0x55, gid = 0x47
        /// `%p`: the process id.
        case pid = 0x70
        /// `%t`: the time now, `YYYY/MM/DD HH:MM:SS`.
        case time = 0x74
        /// `%m`: the daemon module (empty without a daemon).
        case module = 0x6D
        /// `%a`, `%h`, `%u`, `%P`: the daemon's remote address, host, user and module path.
        case remoteAddress = 0x61, remoteHost = 0x68, user = 0x75, modulePath = 0x50
    }

    public enum Piece: Sendable, Equatable {
        case text(String)
        /// `grouping`: the number of `'`; `width` 0 when none was given.
        case field(Field, width: Int, leftAligned: Bool, grouping: Int, written: String)
    }

    public let pieces: [Piece]
    /// The template as given.
    public let template: String

    public init(_ template: String) {
        self.template = template
        var pieces: [Piece] = []
        var text: [UInt8] = []
        let bytes = Array(template.utf8)
        var i = 0
        func flushText() {
            if !text.isEmpty { pieces.append(.text(String(decoding: text, as: UTF8.self))) }
            text.removeAll()
        }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%") else {
                text.append(bytes[i])
                i += 1
                continue
            }
            var j = i + 1
            var grouping = 0
            while j < bytes.count && bytes[j] == UInt8(ascii: "'") { grouping += 1; j += 1 }
            var leftAligned = false
            if j < bytes.count && bytes[j] == UInt8(ascii: "-") { leftAligned = true; j += 1 }
            var width = 0
            while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") {
                width = min(width * 10 + Int(bytes[j] - UInt8(ascii: "0")), 4096)
                j += 1
            }
            while j < bytes.count && bytes[j] == UInt8(ascii: "'") { grouping += 1; j += 1 }
            if j < bytes.count && bytes[j] == UInt8(ascii: "%") && j == i + 1 {
                text.append(UInt8(ascii: "%"))
                i = j + 1
            } else if j < bytes.count, let field = Field(rawValue: bytes[j]) {
                flushText()
                pieces.append(.field(field, width: width, leftAligned: leftAligned, grouping: grouping,
                                     written: String(decoding: bytes[i...j], as: UTF8.self)))
                i = j + 1
            } else {
                // Not an escape: the `%` stays, and what follows is read as text.
                text.append(UInt8(ascii: "%"))
                i += 1
            }
        }
        flushText()
        self.pieces = pieces
    }

    /// Whether the format shows `%i`, which makes it report every significant change rather
    /// than names of what was sent.
    public var itemizes: Bool { uses(.itemize) }

    public func uses(_ field: Field) -> Bool {
        pieces.contains { if case .field(field, _, _, _, _) = $0 { return true } else { return false } }
    }

    /// `-i`'s format.
    public static let itemized = LogFormat("%i %n%L")
    /// `-v`'s format.
    public static let names = LogFormat("%n%L")
}
