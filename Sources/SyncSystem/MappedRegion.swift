#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

/// A read-only mapping of (part of) a file that deltas, upload bodies and ETags are read from;
/// unmapped when the last reference goes. Sendable because it is never written.
///
/// Reads are fault-safe: if the file shrinks while mapped, the pages past its new end read as
/// zeros instead of killing the process with SIGBUS, and ``isTorn`` turns true. A reader checks
/// ``checkIntact(path:)`` when done and treats the file as changed under it (rsync's "read
/// errors mapping"), never as a crash. Where no guard slot is free the bytes are read with
/// `pread` into memory instead, which cannot fault.
///
/// Pages a reader is done with can be handed back (``discard(upTo:)``): they stay in the page
/// cache but leave this process's resident set, so a part in flight costs a chunk or two of
/// memory, not the whole part.
public final class MappedRegion: @unchecked Sendable {
    private let base: UnsafeRawPointer?
    private let mappedLength: Int
    private let offsetInMapping: Int
    /// The guard slot of the mapping; -1 when the bytes were read into `copy` instead.
    private let guardSlot: Int32
    private let copy: UnsafeMutableRawBufferPointer?
    /// Bytes `pread` found when the region was read rather than mapped (short if the file shrank).
    private let copiedLength: Int
    public let count: Int

    /// Maps `length` bytes of `fd` from `offset`.
    public init(fd: Int32, offset: Int64, length: Int, path: @autoclosure () -> String) throws(FileSystemError) {
        count = length
        guard length > 0 else {
            (base, mappedLength, offsetInMapping, guardSlot, copy, copiedLength) = (nil, 0, 0, -1, nil, 0)
            return
        }
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        let aligned = offset / page * page
        let inMapping = Int(offset - aligned)
        let total = length + inMapping
        let p = mmap(nil, total, PROT_READ, MAP_PRIVATE, fd, off_t(aligned))
        if p == MAP_FAILED { throw FileSystemError(operation: "mmap", path: path(), errno: errno) }
        let slot = cs_guard_register(p, total)
        if slot >= 0 {
            _ = madvise(p, total, MADV_SEQUENTIAL)
            (base, mappedLength, offsetInMapping, guardSlot, copy, copiedLength) = (UnsafeRawPointer(p), total, inMapping, slot, nil, 0)
            return
        }
        munmap(p, total)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 64)
        let got: Int
        do {
            got = try FileSystem.readFully(fd, at: offset, into: buffer, path: path())
        } catch {
            buffer.deallocate()
            throw error
        }
        if got < length { buffer.baseAddress!.advanced(by: got).initializeMemory(as: UInt8.self, repeating: 0, count: length - got) }
        (base, mappedLength, offsetInMapping, guardSlot, copy, copiedLength) = (UnsafeRawPointer(buffer.baseAddress!), 0, 0, -1, buffer, got)
    }

    deinit {
        if let copy { copy.deallocate(); return }
        guard let base else { return }
        cs_guard_unregister(guardSlot)
        munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
    }

    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(bytes)
    }

    /// The region's bytes, valid while the region is alive.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { $0 + offsetInMapping }, count: count)
    }

    /// Whether some of the bytes read so far were not the file's (it shrank while we read).
    public var isTorn: Bool {
        if copy != nil { return copiedLength < count }
        return guardSlot >= 0 && cs_guard_torn(guardSlot) != 0
    }

    /// Throws rsync's "read errors mapping" error (ENODATA) when ``isTorn``.
    public func checkIntact(path: @autoclosure () -> String) throws(FileSystemError) {
        if isTorn { throw FileSystemError(operation: "read errors mapping", path: path(), errno: ENODATA) }
    }

    /// Drops the pages wholly before byte `end` of the region from the resident set (reading
    /// them again faults them back in from the page cache).
    public func discard(upTo end: Int) {
        guard let base, copy == nil else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = (offsetInMapping + min(end, count)) / page * page
        if length > 0 { _ = madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_DONTNEED) }
    }
}
