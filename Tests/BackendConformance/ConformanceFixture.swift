import SyncCore
import SyncSystem

/// What the conformance suite needs beside the backend under test: a root to work in, and a
/// way to put test files there and look at what is there without going through the backend
/// (the local filesystem by path, S3 through its client).
public protocol ConformanceFixture: Sendable {
    /// The backend under test (possibly a wrapper, such as the dry run).
    var backend: any Backend { get }
    /// The root as ``Backend/openRoot(_:relativeTo:followSymlink:)`` takes it.
    var rootPath: [UInt8] { get }
    /// A path below the root that does not exist.
    var missingPath: [UInt8] { get }
    /// False for a wrapper that must change nothing (the dry run).
    var makesChanges: Bool { get }
    /// How failures name the backend.
    var label: String { get }

    /// Puts a regular file at `path` (relative to the root, directories made as needed).
    func write(_ path: String, _ bytes: [UInt8], mtime: FileTime?) async throws
    /// Makes a directory at `path` (relative to the root).
    func makeDirectory(_ path: String) async throws
    /// The bytes of the file at `path`, nil when there is none.
    func read(_ path: String) async throws -> [UInt8]?
    /// Every file below the root (not directories), as sorted relative paths.
    func files() async throws -> [String]
    /// A local file holding `bytes`, open for reading, to put from.
    func localSource(_ bytes: [UInt8]) throws -> any FileSource
}

extension ConformanceFixture {
    public func write(_ path: String, _ text: String) async throws { try await write(path, Array(text.utf8), mtime: nil) }
    public func write(_ path: String, _ bytes: [UInt8]) async throws { try await write(path, bytes, mtime: nil) }
}

/// A file's bytes as a remote backend hands them over: no descriptor, pieces streamed, here
/// from the end to the start (a writer must place each piece at its offset).
public final class StreamedSource: FileSource {
    public let status: FileStatus
    public let displayPath = "streamed"
    let bytes: [UInt8]
    let pieceSize: Int

    public init(_ bytes: [UInt8], mtime: FileTime = FileTime(seconds: 1_600_000_000), permissions: UInt32 = 0o640, pieceSize: Int = 4096) {
        self.bytes = bytes
        self.pieceSize = pieceSize
        status = FileStatus(kind: .regular, permissions: permissions, size: Int64(bytes.count), mtime: mtime)
    }

    public var descriptor: Int32? { nil }
    public var storeLocation: (any StoreLocation)? { nil }

    public func read(_ consume: @escaping @Sendable (Int64, UnsafeRawBufferPointer) throws -> Void) async throws {
        for start in stride(from: 0, to: bytes.count, by: pieceSize).reversed() {
            let end = min(bytes.count, start + pieceSize)
            try bytes[start..<end].withUnsafeBytes { try consume(Int64(start), $0) }
        }
    }

    public func transferred(_ count: Int) -> Bool { true }
}

/// A source whose writer is told to stop after the first chunk (an interrupted run).
public final class StoppingSource: FileSource {
    let base: any FileSource
    public init(_ base: any FileSource) { self.base = base }
    public var status: FileStatus { base.status }
    public var displayPath: String { base.displayPath }
    public var descriptor: Int32? { base.descriptor }
    public var storeLocation: (any StoreLocation)? { base.storeLocation }
    public func read(_ consume: @escaping @Sendable (Int64, UnsafeRawBufferPointer) throws -> Void) async throws {
        try await base.read(consume)
    }
    public func transferred(_ count: Int) -> Bool { false }
}

func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The errno `body` failed with (-1 for an error that is not a FileSystemError), nil when it
/// did not fail.
public func errnoOf(_ body: () async throws -> Void) async -> Int32? {
    do {
        try await body()
        return nil
    } catch let error as FileSystemError {
        return error.errno
    } catch {
        return -1
    }
}

/// Deterministic bytes that do not compress.
public func conformanceBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count)
    while out.count < count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        var x = state
        for _ in 0..<8 where out.count < count {
            out.append(UInt8(truncatingIfNeeded: x >> 56))
            x <<= 8
        }
    }
    return out
}
