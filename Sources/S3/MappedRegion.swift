#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import SyncCore

/// A read-only mapping of (part of) a file that upload bodies are cut from; unmapped when the last
/// reference goes. Sendable because it is never written.
public final class MappedRegion: @unchecked Sendable {
    private let base: UnsafeRawPointer?
    private let mappedLength: Int
    private let offsetInMapping: Int
    public let count: Int

    /// Maps `length` bytes of `fd` from `offset`.
    public init(fd: Int32, offset: Int64, length: Int, path: String) throws(FileSystemError) {
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
        if p == MAP_FAILED { throw FileSystemError(operation: "mmap", path: path, errno: errno) }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: base.map { $0 + offsetInMapping }, count: count))
    }

    /// The bytes as an async sequence of 256 KiB buffers, copied from the mapping one at a time.
    public func chunks(size: Int = 256 << 10) -> Chunks { Chunks(region: self, size: size) }

    public struct Chunks: AsyncSequence, Sendable {
        public typealias Element = ByteBuffer
        let region: MappedRegion
        let size: Int

        public struct AsyncIterator: AsyncIteratorProtocol {
            let region: MappedRegion
            let size: Int
            var offset = 0

            public mutating func next() async -> ByteBuffer? {
                guard offset < region.count else { return nil }
                let n = Swift.min(size, region.count - offset)
                let buffer = region.withBytes { ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
                offset += n
                return buffer
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(region: region, size: size) }
    }
}
