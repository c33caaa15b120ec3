#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

extension FileSystem {
    /// Copies everything from `source` (read from its current offset) to `destination`.
    ///
    /// Tries `copy_file_range` (in-kernel, reflinks where the filesystem can), then falls back
    /// to read/write. Returns the number of bytes copied. `limiter` is called after each chunk
    /// (so a bandwidth limit or a progress display can follow the copy); returning `false`
    /// stops the copy with ECANCELED.
    public static func copyContents(from source: Int32, to destination: Int32, sizeHint: Int64,
                                    limiter: (Int) -> Bool = { _ in true },
                                    path: @autoclosure () -> String) throws(FileSystemError) -> Int64 {
        var total: Int64 = 0
        let chunk = 8 << 20
        var useKernelCopy = true
        while true {
            if useKernelCopy {
                let n = Int(retryingEINTR { cs_copy_file_range(source, nil, destination, nil, chunk) })
                if n > 0 {
                    total += Int64(n)
                    if !limiter(Int(n)) { throw cancelled(path()) }
                    // The listed size is what the sync promised to copy (as rsync does): no
                    // extra call just to see EOF.
                    if total == sizeHint { return total }
                    continue
                }
                if n == 0 {
                    // copy_file_range returns 0 at EOF, but also on some filesystems (procfs-like)
                    // that report a size they do not have: confirm with read before stopping.
                    if total >= sizeHint { return total }
                    useKernelCopy = false
                    continue
                }
                switch errno {
                case EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EBADF, ETXTBSY:
                    useKernelCopy = false
                    continue
                default:
                    throw FileSystemError(operation: "copy_file_range", path: path(), errno: errno)
                }
            }
            return total + (try copyByReading(from: source, to: destination, limiter: limiter, path: path()))
        }
    }

    /// Copies only the data extents of `source` (SEEK_DATA/SEEK_HOLE) and sizes the result, so
    /// holes stay holes: rsync's `-S` result without scanning for zeros. With `punchHoles`
    /// (writing over an existing file in place) the source's holes are punched into the
    /// destination, so old bytes there read as zeros.
    public static func copySparse(from source: Int32, to destination: Int32, size: Int64, punchHoles: Bool = false,
                                  limiter: (Int) -> Bool = { _ in true }, path: @autoclosure () -> String) throws(FileSystemError) -> Int64 {
        var offset: off_t = 0
        var total: Int64 = 0
        func punch(_ from: off_t, _ to: off_t) throws(FileSystemError) {
            guard punchHoles, to > from else { return }
            if cs_punch_hole(destination, Int64(from), Int64(to - from)) == -1 {
                throw FileSystemError(operation: "fallocate", path: path(), errno: errno)
            }
        }
        while offset < off_t(size) {
            let dataStart = lseek(source, offset, cs_seek_data())
            if dataStart == -1 {
                if errno == ENXIO { try punch(offset, off_t(size)); break } // only a hole remains
                if errno == EINVAL { // no SEEK_DATA support: plain copy
                    _ = lseek(source, 0, SEEK_SET)
                    return try copyContents(from: source, to: destination, sizeHint: size, limiter: limiter, path: path())
                }
                throw FileSystemError(operation: "lseek", path: path(), errno: errno)
            }
            try punch(offset, dataStart)
            var holeStart = lseek(source, dataStart, cs_seek_hole())
            if holeStart == -1 { holeStart = off_t(size) }
            var inOffset = Int64(dataStart)
            var outOffset = Int64(dataStart)
            while inOffset < Int64(holeStart) {
                let want = Int(Int64(holeStart) - inOffset)
                let n = Int(retryingEINTR { cs_copy_file_range(source, &inOffset, destination, &outOffset, want) })
                if n == -1 { throw FileSystemError(operation: "copy_file_range", path: path(), errno: errno) }
                if n == 0 { break }
                total += Int64(n)
                if !limiter(Int(n)) { throw cancelled(path()) }
            }
            offset = holeStart
        }
        try truncate(destination, to: size, path: path())
        return total
    }

    static func cancelled(_ path: String) -> FileSystemError {
        FileSystemError(operation: "copy", path: path, errno: ECANCELED)
    }

    static func copyByReading(from source: Int32, to destination: Int32, limiter: (Int) -> Bool,
                              path: @autoclosure () -> String) throws(FileSystemError) -> Int64 {
        let capacity = 256 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 4096)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = retryingEINTR { read(source, buffer, capacity) }
            if n == -1 { throw FileSystemError(operation: "read", path: path(), errno: errno) }
            if n == 0 { return total }
            try writeAll(destination, UnsafeRawBufferPointer(start: buffer, count: n), path: path())
            total += Int64(n)
            if !limiter(Int(n)) { throw cancelled(path()) }
        }
    }

    /// Writes the whole buffer, looping over short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: @autoclosure () -> String) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let n = retryingEINTR { Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done) }
            if n == -1 { throw FileSystemError(operation: "write", path: path(), errno: errno) }
            done += n
        }
    }

    /// Reads until `buffer` is full or EOF; returns the bytes read.
    public static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: @autoclosure () -> String) throws(FileSystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = retryingEINTR { read(fd, buffer.baseAddress! + done, buffer.count - done) }
            if n == -1 { throw FileSystemError(operation: "read", path: path(), errno: errno) }
            if n == 0 { break }
            done += n
        }
        return done
    }
}

extension FileSystem {
    /// `pread` until `buffer` is full or EOF; returns the bytes read.
    public static func readFully(_ fd: Int32, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer,
                                 path: @autoclosure () -> String) throws(FileSystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = retryingEINTR { pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done)) }
            if n == -1 { throw FileSystemError(operation: "read", path: path(), errno: errno) }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
