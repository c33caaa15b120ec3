import SyncCore
import SyncSystem

/// `--out-format`/`--log-file-format`: parse, then render a few items; every escape must come
/// out as a value or as written, so a line holds no more of the template than it was given.
public func fuzzLogFormat(_ data: UnsafeRawBufferPointer) {
    let template = String(decoding: data, as: UTF8.self)
    let format = LogFormat(template)
    var reassembled = ""
    for piece in format.pieces {
        switch piece {
        case .text(let text): reassembled += text
        case .field(_, _, _, _, let written): reassembled += written
        }
    }
    // Escapes aside (`%%` becomes `%`), the pieces are the template, in order.
    check(reassembled.utf8.count <= template.utf8.count, "pieces longer than the template \(template.debugDescription)")
    var status = FileStatus(kind: .regular, permissions: 0o4755, size: 1 << 40, mtime: FileTime(seconds: -1))
    status.uid = .max
    let items = [
        LoggedItem(operation: .send, change: ItemizedChange(update: .received, kind: .regular, isNew: true), kind: .regular,
                   path: Array("a/\n\u{1}b".utf8), status: status),
        LoggedItem(operation: .delete, change: nil, kind: .directory, path: []),
        LoggedItem(operation: .send, change: ItemizedChange(update: .localChange, kind: .symlink), kind: .symlink,
                   path: Array("l".utf8), linkTarget: Array("../x".utf8)),
    ]
    for item in items {
        let line = format.render(item, context: LogContext(now: 0, pid: 1))
        check(!line.utf8.contains(0x0A) || template.utf8.contains(0x0A), "a name's newline reached the line for \(template.debugDescription)")
    }
}
