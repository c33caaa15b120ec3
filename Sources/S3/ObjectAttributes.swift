import SyncCore
import SyncSystem

/// A file's mtime and mode as object metadata: swiftsync writes `x-amz-meta-mtime`
/// (`SECONDS.NANOSECONDS`, nine digits of fraction, as rclone's) and `x-amz-meta-mode` (octal);
/// downloads read those, or s3cmd's `x-amz-meta-s3cmd-attrs` (`mode:33188/mtime:1700000000/…`).
public struct ObjectAttributes: Sendable, Equatable {
    public var mtime: FileTime?
    /// Permission bits (no file type bits).
    public var permissions: UInt32?

    public init(mtime: FileTime? = nil, permissions: UInt32? = nil) {
        self.mtime = mtime
        self.permissions = permissions
    }

    /// The metadata pairs an upload stores.
    public static func metadata(mtime: FileTime, permissions: UInt32) -> [(String, String)] {
        let nanos = String(mtime.nanoseconds)
        return [("mtime", "\(mtime.seconds).\(String(repeating: "0", count: max(0, 9 - nanos.count)))\(nanos)"),
                ("mode", String(permissions & 0o7777, radix: 8))]
    }

    /// Reads them back from an object's metadata (keys without the `x-amz-meta-` prefix).
    public init(metadata: [String: String]) {
        if let text = metadata["mtime"] { mtime = Self.parseTime(text) }
        if let text = metadata["mode"], let mode = UInt32(text, radix: 8), mode <= 0o7777 { permissions = mode }
        guard mtime == nil || permissions == nil, let attrs = metadata["s3cmd-attrs"] else { return }
        for field in attrs.split(separator: "/") {
            let pair = field.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            if pair[0] == "mtime", mtime == nil, let seconds = Int64(pair[1]) { mtime = FileTime(seconds: seconds) }
            if pair[0] == "mode", permissions == nil, let mode = UInt32(pair[1]) { permissions = mode & 0o7777 }
        }
    }

    /// `1700000000`, `1700000000.5` (half a second) or `1700000000.000000005`.
    static func parseTime(_ text: String) -> FileTime? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else { return nil }
        guard parts.count == 2 else { return FileTime(seconds: seconds) }
        let fraction = parts[1].prefix(9)
        guard !fraction.isEmpty, fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber),
              let value = Int32(fraction + String(repeating: "0", count: 9 - fraction.count)) else { return nil }
        return FileTime(seconds: seconds, nanoseconds: value)
    }
}
