import CXXHash
import Synchronization
import SyncSystem

/// XXH3-128 of a whole file, for `-c/--checksum` (the hash rsync 3.2+ negotiates too).
public enum ContentChecksum {
    public struct Digest: Hashable, Sendable {
        public let low: UInt64
        public let high: UInt64
    }

    /// Hashes everything readable from `fd` (from its current offset).
    public static func digest(of fd: Int32, path: @autoclosure () -> String) throws(FileSystemError) -> Digest {
        guard let state = XXH3_createState() else { fatalError("out of memory") }
        defer { XXH3_freeState(state) }
        XXH3_128bits_reset(state)
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try FileSystem.readFully(fd, into: buffer, path: path())
            if n == 0 { break }
            XXH3_128bits_update(state, buffer.baseAddress, n)
            if n < capacity { break }
        }
        let h = XXH3_128bits_digest(state)
        return Digest(low: h.low64, high: h.high64)
    }

    /// Incremental XXH3-128.
    public final class Hasher {
        private let state: OpaquePointer

        public init() {
            guard let state = XXH3_createState() else { fatalError("out of memory") }
            self.state = state
            XXH3_128bits_reset(state)
        }

        deinit { XXH3_freeState(state) }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            if bytes.count > 0 { XXH3_128bits_update(state, bytes.baseAddress, bytes.count) }
        }

        public func finalize() -> Digest {
            let h = XXH3_128bits_digest(state)
            return Digest(low: h.low64, high: h.high64)
        }
    }

    /// XXH3-128 of a byte buffer.
    public static func digest(of bytes: UnsafeRawBufferPointer) -> Digest {
        let h = XXH3_128bits(bytes.baseAddress, bytes.count)
        return Digest(low: h.low64, high: h.high64)
    }
}

extension ContentChecksum {
    /// XXH3-128 of the version a source reads: from its descriptor when it is local, else
    /// from its bytes as they arrive (put back in order, since pieces may come out of order).
    public static func digest(of source: any FileSource) async throws -> Digest {
        if let fd = source.descriptor { return try digest(of: fd, path: source.displayPath) }
        let ordered = InOrderHasher()
        try await source.read { offset, bytes in ordered.add(offset, bytes) }
        return ordered.finalize()
    }

    /// Hashes pieces in offset order, holding the ones that came early.
    final class InOrderHasher: @unchecked Sendable {
        private struct State: @unchecked Sendable {
            let hasher = Hasher()
            var next: Int64 = 0
            var early: [Int64: [UInt8]] = [:]
        }

        private let state = Mutex(State())

        func add(_ offset: Int64, _ bytes: UnsafeRawBufferPointer) {
            state.withLock { s in
                guard offset == s.next else {
                    s.early[offset] = Array(bytes)
                    return
                }
                s.hasher.update(bytes)
                s.next += Int64(bytes.count)
                while let piece = s.early.removeValue(forKey: s.next) {
                    piece.withUnsafeBytes { s.hasher.update($0) }
                    s.next += Int64(piece.count)
                }
            }
        }

        func finalize() -> Digest { state.withLock { $0.hasher.finalize() } }
    }
}
