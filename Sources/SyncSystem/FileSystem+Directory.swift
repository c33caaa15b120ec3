#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

extension FileSystem {
    /// Reads every name in an open directory with `getdents64`, skipping `.` and `..`.
    ///
    /// The caller keeps ownership of `fd`. With `rewind` the descriptor's offset goes back to
    /// the start first, so a directory can be listed again (a first listing can skip that call).
    public static func readDirectoryNames(_ fd: Int32, rewind: Bool = true, path: @autoclosure () -> String) throws(FileSystemError) -> [[UInt8]] {
        if rewind { _ = lseek(fd, 0, SEEK_SET) }
        var names: [[UInt8]] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = retryingEINTR { Int(cs_getdents64(fd, buffer, capacity)) }
            if n == -1 { throw FileSystemError(operation: "readdir", path: path(), errno: errno) }
            if n == 0 { break }
            var offset = 0
            while offset < n {
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                let record = buffer + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                let namePointer = (record + 19).assumingMemoryBound(to: UInt8.self)
                let nameLength = strlen(UnsafeRawPointer(namePointer).assumingMemoryBound(to: CChar.self))
                offset += length
                if nameLength == 1 && namePointer[0] == UInt8(ascii: ".") { continue }
                if nameLength == 2 && namePointer[0] == UInt8(ascii: ".") && namePointer[1] == UInt8(ascii: ".") { continue }
                names.append(Array(UnsafeBufferPointer(start: namePointer, count: nameLength)))
            }
        }
        return names
    }

    /// Removes `name` and, if it is a directory, everything below it, deepest first: each
    /// directory's entries in reverse name order (rsync's order of deletions), each reported to
    /// `removed` with its path relative to `directory` once it is gone. With `makingWritable`,
    /// a directory its owner may not write is made writable first (a snapshot keeps modes as
    /// they were); without it, as rsync, such a directory's contents fail with EACCES for
    /// anyone but root.
    public static func removeTree(_ name: [UInt8], in directory: Int32, path: String, makingWritable: Bool = false,
                                  removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void = { _, _ in }) throws(FileSystemError) {
        let status = try linkStatus(name, in: directory, path: path)
        guard status.kind == .directory else {
            try remove(name, in: directory, isDirectory: false, path: path)
            removed(name, status.kind)
            return
        }
        try removeDirectoryTree(name, relative: name, in: directory, path: path, permissions: status.permissions,
                                makingWritable: makingWritable, removed: removed)
    }

    private static func removeDirectoryTree(_ name: [UInt8], relative: [UInt8], in parent: Int32, path: String, permissions: UInt32,
                                            makingWritable: Bool,
                                            removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) throws(FileSystemError) {
        let fd = try openDirectory(name, in: parent, path: path)
        defer { close(fd) }
        if makingWritable && permissions & 0o700 != 0o700 { _ = fchmod(fd, permissions | 0o700) }
        var children = try readDirectoryNames(fd, path: path)
        children.sort { compareNames($0, $1) > 0 }
        for child in children {
            let childPath = path + "/" + DisplayPath.escape(child)
            let childRelative = DisplayPath.join(relative, child)
            let status = try linkStatus(child, in: fd, path: childPath)
            if status.kind == .directory {
                try removeDirectoryTree(child, relative: childRelative, in: fd, path: childPath, permissions: status.permissions,
                                        makingWritable: makingWritable, removed: removed)
            } else {
                try remove(child, in: fd, isDirectory: false, path: childPath)
                removed(childRelative, status.kind)
            }
        }
        try remove(name, in: parent, isDirectory: true, path: path)
        removed(relative, .directory)
    }
}
