#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

/// Positioned writes and range copies, for assembling a file from pieces of others (and of itself).
extension FileSystem {
    /// `pwrite` of the whole buffer at `offset`, looping over short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64,
                                path: @autoclosure () -> String) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let n = retryingEINTR { pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
            if n == -1 { throw FileSystemError(operation: "write", path: path(), errno: errno) }
            done += n
        }
    }

    /// Copies `length` bytes at `from` in `source` to `to` in `destination` in the kernel
    /// (`copy_file_range`; reflinks or page-cache copies, no user-space buffer). Returns the
    /// bytes copied, which is less than `length` only where the kernel declined (other
    /// filesystems, overlapping ranges of one file): the caller copies the rest itself.
    public static func copyRange(from source: Int32, at from: Int64, to destination: Int32, at to: Int64,
                                 length: Int) -> Int {
        var inOffset = Int64(from), outOffset = Int64(to)
        var done = 0
        while done < length {
            let n = retryingEINTR { Int(cs_copy_file_range(source, &inOffset, destination, &outOffset, length - done)) }
            if n <= 0 { break }
            done += n
        }
        return done
    }

    /// Moves `length` bytes of one file from offset `from` to offset `to` (`memmove` on disk):
    /// through `buffer` in pieces ordered so that no piece reads bytes an earlier piece wrote.
    /// `reader` and `writer` are descriptors of the same file.
    public static func moveRange(reader: Int32, writer: Int32, from: Int64, to: Int64, length: Int,
                                 buffer: UnsafeMutableRawBufferPointer, path: @autoclosure () -> String) throws(FileSystemError) {
        let distance = Int(abs(from - to))
        let done = distance >= length ? copyRange(from: reader, at: from, to: writer, at: to, length: length) : 0
        let rest = length - done
        guard rest > 0 else { return }
        let piece = min(buffer.count, rest)
        let count = (rest + piece - 1) / piece
        for k in 0..<count {
            // Forward moves go front to back, backward moves back to front.
            let index = from > to ? k : count - 1 - k
            let start = done + index * piece
            let n = min(piece, length - start)
            let got = try readFully(reader, at: from + Int64(start), into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<n]), path: path())
            guard got == n else { throw FileSystemError(operation: "read", path: path(), errno: EIO) }
            try writeAll(writer, UnsafeRawBufferPointer(rebasing: buffer[..<n]), at: to + Int64(start), path: path())
        }
    }
}
