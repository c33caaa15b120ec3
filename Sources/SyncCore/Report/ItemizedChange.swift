import SyncSystem
/// One line of rsync's `-i` output: `YXcstpoguax PATH`.
///
/// Y is the update type (`>` received, `c` local change, `h` hard link, `.` attributes only,
/// `*` a message such as `*deleting`), X the file type, then one column per attribute.
public struct ItemizedChange: Sendable, Equatable {
    public enum Update: Character, Sendable {
        case received = ">", sent = "<", localChange = "c", hardLink = "h", attributesOnly = "."
    }

    public var update: Update
    public var kind: FileKind
    public var isNew = false
    public var checksum = false
    public var size = false
    /// `t`: the modification time differs (and is preserved).
    public var time = false
    /// `T`: the time will be set to the transfer time (times not preserved).
    public var timeIsTransferTime = false
    public var permissions = false
    public var owner = false
    public var group = false
    public var accessTime = false

    public init(update: Update, kind: FileKind, isNew: Bool = false) {
        self.update = update
        self.kind = kind
        self.isNew = isNew
    }

    /// Whether the line says anything changed (what plain `-i` prints).
    public var isSignificant: Bool {
        isNew || update == .received || update == .localChange || update == .hardLink || changesAttributes
    }

    /// Whether any attribute column is marked.
    var changesAttributes: Bool {
        checksum || size || time || timeIsTransferTime || permissions || owner || group || accessTime
    }

    /// The 11-character code column.
    public var code: String {
        var s = String(update.rawValue)
        s.append(kind.itemizeLetter)
        if isNew {
            s += "+++++++++"
            return s
        }
        if (update == .hardLink || update == .attributesOnly) && !changesAttributes {
            // rsync leaves the columns blank for an item (or a link) that is otherwise unchanged.
            return s + String(repeating: " ", count: 9)
        }
        s.append(checksum ? "c" : ".")
        s.append(size ? "s" : ".")
        s.append(time ? "t" : timeIsTransferTime ? "T" : ".")
        s.append(permissions ? "p" : ".")
        s.append(owner ? "o" : ".")
        s.append(group ? "g" : ".")
        s.append(accessTime ? "u" : ".")
        s += ".."
        return s
    }

    /// The name as `-v` and `-i` show it.
    public static func displayName(path: [UInt8], kind: FileKind, linkTarget: [UInt8]? = nil, hardLinkTarget: [UInt8]? = nil) -> String {
        var text = path.isEmpty ? "." : DisplayPath.escape(path)
        if kind == .directory { text += "/" }
        if let linkTarget { text += " -> " + DisplayPath.escape(linkTarget) }
        if let hardLinkTarget { text += " => " + DisplayPath.escape(hardLinkTarget) }
        return text
    }
}
