import AWSCore
import NIOCore
import SyncCore
import SyncSystem

extension MappedRegion {
    /// The MD5 of the bytes (for Content-MD5) and, if asked, their SHA-256 (for a signed
    /// payload) and CRC32 (for a part's checksum), in one pass of 1 MiB steps whose pages are
    /// discarded as it goes.
    func digests(sha256 wantSHA256: Bool, crc32 wantCRC32: Bool = false) -> PayloadDigests {
        var digests = PayloadDigests(sha256: wantSHA256, crc32: wantCRC32)
        let step = 1 << 20
        var offset = 0
        while offset < count {
            let end = Swift.min(count, offset + step)
            withBytes { digests.update(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
            discard(upTo: end)
            offset = end
        }
        return digests
    }

    /// The bytes as an async sequence of 256 KiB buffers, copied from the mapping one at a time;
    /// each chunk's pages are discarded once copied, so sending a part keeps little of it resident.
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
                region.discard(upTo: offset)
                return buffer
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(region: region, size: size) }
    }
}
