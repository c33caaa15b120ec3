#if canImport(Glibc)
import Glibc
#endif

/// A read-only mapping of (part of) a file that upload bodies and ETags are read from; unmapped
/// when the last reference goes. Sendable because it is never written.
///
/// Pages a reader is done with can be handed back (``discard(upTo:)``): they stay in the page
/// cache but leave this process's resident set, so a part in flight costs a chunk or two of
/// memory, not the whole part.
public final class MappedRegion: @unchecked Sendable {
    private let base: UnsafeRawPointer?
    private let mappedLength: Int
    private let offsetInMapping: Int
    public let count: Int

    /// Maps `length` bytes of `fd` from `offset`.
    public init(fd: Int32, offset: Int64, length: Int, path: @autoclosure () -> String) throws(FileSystemError) {
        count = length
        guard length > 0 else {
            base = nil
            mappedLength = 0
            offsetInMapping = 0
            return
        }
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        let aligned = offset / page * page
        offsetInMapping = Int(offset - aligned)
        mappedLength = length + offsetInMapping
        let p = mmap(nil, mappedLength, PROT_READ, MAP_PRIVATE, fd, off_t(aligned))
        if p == MAP_FAILED { throw FileSystemError(operation: "mmap", path: path(), errno: errno) }
        _ = madvise(p, mappedLength, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: base.map { $0 + offsetInMapping }, count: count))
    }

    /// Drops the pages wholly before byte `end` of the region from the resident set (reading
    /// them again faults them back in from the page cache).
    public func discard(upTo end: Int) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = (offsetInMapping + min(end, count)) / page * page
        if length > 0 { _ = madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_DONTNEED) }
    }
}
