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

    /// Removes `name` and, if it is a directory, everything below it.
    public static func removeTree(_ name: [UInt8], in directory: Int32, path: String) throws(FileSystemError) {
        let status = try linkStatus(name, in: directory, path: path)
        guard status.kind == .directory else {
            try remove(name, in: directory, isDirectory: false, path: path)
            return
        }
        let fd = try openDirectory(name, in: directory, path: path)
        defer { close(fd) }
        // Make sure we may delete inside even if the directory was read-only for its owner.
        _ = fchmod(fd, status.permissions | 0o700)
        for child in try readDirectoryNames(fd, path: path) {
            try removeTree(child, in: fd, path: path + "/" + DisplayPath.escape(child))
        }
        try remove(name, in: directory, isDirectory: true, path: path)
    }
}
