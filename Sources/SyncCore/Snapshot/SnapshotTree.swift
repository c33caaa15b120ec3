import SyncSystem
/// A depth-first walk of a snapshot, symlinks not followed, for the passes that look at every
/// inode of one (sharing with another snapshot, space used). Entries that vanish while it
/// walks are skipped: a listing may run while a snapshot is being rotated or deleted.
enum SnapshotTree {
    typealias Visit = (_ status: FileStatus, _ parent: Int32, _ name: [UInt8], _ path: String) throws(SnapshotError) -> Void

    /// Calls `visit` for the directory `name` in `directory` itself, then for everything below it.
    static func walk(_ name: [UInt8], in directory: Int32, path: String, _ visit: Visit) throws(SnapshotError) {
        let status: FileStatus
        do {
            status = try FileSystem.linkStatus(name, in: directory, path: path)
        } catch where error.isVanished {
            return
        } catch {
            throw .fileSystem(error)
        }
        try visit(status, directory, name, path)
        guard status.kind == .directory else { return }
        let fd: Int32, children: [[UInt8]]
        do {
            fd = try FileSystem.openDirectory(name, in: directory, path: path)
        } catch where error.isVanished {
            return
        } catch {
            throw .fileSystem(error)
        }
        defer { FileSystem.close(fd) }
        do { children = try FileSystem.readDirectoryNames(fd, rewind: false, path: path) } catch { throw .fileSystem(error) }
        for child in children {
            try walk(child, in: fd, path: path + "/" + DisplayPath.escape(child), visit)
        }
    }
}

/// A file's identity across snapshots.
struct InodeKey: Hashable {
    let device: UInt64
    let inode: UInt64

    init(_ status: FileStatus) {
        device = status.device
        inode = status.inode
    }
}
