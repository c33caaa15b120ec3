#if canImport(Glibc)
import Glibc
#endif

/// Whole small files (journals, lock files): read at once, written from an array.
extension FileSystem {
    /// Reads a small file whole (at most `limit` bytes), relative to `directory`.
    public static func readSmallFile(_ name: [UInt8], in directory: Int32, limit: Int = 1 << 20,
                                     path: @autoclosure () -> String) throws(FileSystemError) -> [UInt8] {
        let fd = try openForReading(name, in: directory, path: path())
        defer { close(fd) }
        return try readSmallFile(fd, limit: limit, path: path())
    }

    /// Reads an open file from offset 0, at most `limit` bytes.
    public static func readSmallFile(_ fd: Int32, limit: Int = 1 << 20, path: @autoclosure () -> String) throws(FileSystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        let result = bytes.withUnsafeMutableBytes { raw in
            Result { () throws(FileSystemError) -> Int in try readFully(fd, at: 0, into: raw, path: path()) }
        }
        bytes.removeSubrange(try result.get()...)
        return bytes
    }

    /// Writes all of `bytes` at the descriptor's position (a pipe, a terminal, a file opened to append).
    public static func write(_ bytes: [UInt8], to fd: Int32, path: @autoclosure () -> String) throws(FileSystemError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FileSystemError) in try writeAll(fd, raw, path: path()) }
        }
        try result.get()
    }

    /// Writes all of `bytes` at `offset`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int64 = 0, path: @autoclosure () -> String) throws(FileSystemError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FileSystemError) in try writeAll(fd, raw, at: offset, path: path()) }
        }
        try result.get()
    }
}
