import SyncSystem

/// What one line of `--out-format`/`--log-file` output can say about an entry.
public struct LoggedItem: Sendable {
    public enum Operation: String, Sendable {
        case send = "send"
        case delete = "del."
    }

    public var operation: Operation
    /// The change (nil for a deletion).
    public var change: ItemizedChange?
    public var kind: FileKind
    /// Relative to the transfer root.
    public var path: [UInt8]
    public var linkTarget: [UInt8]?
    public var hardLinkTarget: [UInt8]?
    /// The sender's version (length, times, mode and ids); nil where none is known.
    public var status: FileStatus?
    /// The sender's path, for `%f`.
    public var sourcePath: [UInt8]?
    public var bytesSent: Int64 = 0
    public var checksum: ContentChecksum.Digest?

    public init(operation: Operation, change: ItemizedChange?, kind: FileKind, path: [UInt8], linkTarget: [UInt8]? = nil,
                hardLinkTarget: [UInt8]? = nil, status: FileStatus? = nil, sourcePath: [UInt8]? = nil) {
        self.operation = operation
        self.change = change
        self.kind = kind
        self.path = path
        self.linkTarget = linkTarget
        self.hardLinkTarget = hardLinkTarget
        self.status = status
        self.sourcePath = sourcePath
    }
}

/// What a line needs beside the item: the clock and the process, passed in so that rendering
/// is a pure function.
public struct LogContext: Sendable {
    public var now: Int64
    public var pid: Int32

    public init(now: Int64, pid: Int32) {
        self.now = now
        self.pid = pid
    }

    private static let processID = SystemProcess.id

    /// This process, now.
    public static func current() -> LogContext { LogContext(now: SystemClock.now().seconds, pid: processID) }
}

extension LogFormat {
    /// The line for `item`.
    public func render(_ item: LoggedItem, context: LogContext) -> String {
        var line = ""
        for piece in pieces {
            switch piece {
            case .text(let text):
                line += text
            case .field(let field, let width, let leftAligned, let grouping, let written):
                guard let value = value(of: field, item: item, context: context, grouping: grouping) else {
                    line += written
                    continue
                }
                if field == .link && width > 0 {
                    // rsync pads the target, after its arrow (or four spaces where there is none).
                    let (arrow, target) = item.linkTarget.map { (" -> ", DisplayPath.escape($0)) }
                        ?? item.hardLinkTarget.map { (" => ", DisplayPath.escape($0)) } ?? ("    ", "")
                    line += arrow + Self.pad(target, width: width, leftAligned: leftAligned)
                } else {
                    line += Self.pad(value, width: width, leftAligned: leftAligned)
                }
            }
        }
        return line
    }

    static func pad(_ text: String, width: Int, leftAligned: Bool) -> String {
        let count = text.count
        guard count < width else { return text }
        let spaces = String(repeating: " ", count: width - count)
        return leftAligned ? text + spaces : spaces + text
    }

    /// rsync's numbers: plain, digit groups (`'`), or units of 1000 (`''`) or 1024 (`'''`).
    static func number(_ n: Int64, grouping: Int) -> String {
        switch grouping {
        case 0: return String(n)
        case 1: return NumberFormatting.grouped(n)
        case 2: return NumberFormatting.human(Double(n))
        default: return NumberFormatting.human(Double(n), base: 1024)
        }
    }

    /// nil: the escape is printed as written.
    func value(of field: Field, item: LoggedItem, context: LogContext, grouping: Int) -> String? {
        switch field {
        case .operation:
            return item.operation.rawValue
        case .name:
            return ItemizedChange.displayName(path: item.path, kind: item.kind)
        case .fullPath:
            return DisplayPath.escape(item.sourcePath ?? item.path)
        case .length:
            return Self.number(item.operation == .delete ? 0 : item.status?.size ?? 0, grouping: grouping)
        case .bytes:
            return Self.number(item.bytesSent, grouping: grouping)
        case .checksumBytes:
            // No block checksums cross a wire in a local run.
            return Self.number(0, grouping: grouping)
        case .checksum:
            return item.checksum.map(Self.hex) ?? String(repeating: " ", count: 32)
        case .itemize:
            return item.change?.code ?? "*deleting  "
        case .link:
            if let target = item.linkTarget { return " -> " + DisplayPath.escape(target) }
            if let target = item.hardLinkTarget { return " => " + DisplayPath.escape(target) }
            return ""
        case .modificationTime:
            return TimeText.logModification(item.status?.mtime.seconds ?? 0)
        case .permissions:
            return Self.permissionText(item.status?.permissions ?? 0)
        case .uid:
            return Self.number(Int64(item.status?.uid ?? 0), grouping: 0)
        case .gid:
            return Self.number(Int64(item.status?.gid ?? 0), grouping: 0)
        case .pid:
            return String(context.pid)
        case .time:
            return TimeText.log(context.now)
        case .module:
            return ""
        case .remoteAddress, .remoteHost, .user, .modulePath:
            return nil
        }
    }

    /// `rwxr-xr-x`, with `s`/`S` and `t`/`T` for the set-id and sticky bits, as `ls`.
    static func permissionText(_ mode: UInt32) -> String {
        var text = ""
        let special: [(UInt32, Character, Character)] = [(0o4000, "s", "S"), (0o2000, "s", "S"), (0o1000, "t", "T")]
        for (index, shift) in [6, 3, 0].enumerated() {
            let bits = (mode >> UInt32(shift)) & 7
            text.append(bits & 4 != 0 ? "r" : "-")
            text.append(bits & 2 != 0 ? "w" : "-")
            let (flag, executable, plain) = special[index]
            if mode & flag != 0 {
                text.append(bits & 1 != 0 ? executable : plain)
            } else {
                text.append(bits & 1 != 0 ? "x" : "-")
            }
        }
        return text
    }

    /// The digest as rsync prints XXH3-128: its canonical form (the high half first, each
    /// half most significant byte first, as `xxhsum -H2` prints it).
    static func hex(_ digest: ContentChecksum.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for half in [digest.high, digest.low] {
            for byte in (0..<8).reversed() {
                let value = UInt8(truncatingIfNeeded: half >> (8 * UInt64(byte)))
                out.append(digits[Int(value >> 4)])
                out.append(digits[Int(value & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
