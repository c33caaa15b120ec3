#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SyncSystem

/// One version of a regular file, open for reading: what a transfer copies from.
///
/// A local file offers its descriptor (so a local writer can use `copy_file_range` or map it);
/// a remote one streams its bytes, and may name where it lies in its store (so a writer on the
/// same store can copy it there without the bytes passing through here). Whoever moves the
/// bytes reports each chunk to ``transferred(_:)``, which is where wrappers pace, count and
/// stop a transfer.
public protocol FileSource: AnyObject, Sendable {
    /// The version being read: size, times and mode. A remote source may learn its stored mode
    /// and mtime only with the bytes; after ``read(_:)`` returns this is final.
    var status: FileStatus { get }
    /// The path as messages show it.
    var displayPath: String { get }
    /// An open descriptor of the version (owned by the source), or nil for a remote file.
    var descriptor: Int32? { get }
    /// Where the bytes lie in their store, for a server-side copy; nil for a local file.
    var storeLocation: (any StoreLocation)? { get }
    /// Reads the whole version: `consume` gets each piece with its offset (pieces may arrive
    /// out of order, from several requests at once). Throws when the version changed meanwhile.
    func read(_ consume: @escaping @Sendable (_ offset: Int64, _ bytes: UnsafeRawBufferPointer) throws -> Void) async throws
    /// Accounts `count` bytes just moved; `false` means stop (the run was interrupted).
    func transferred(_ count: Int) -> Bool
}

/// An object's place in a store, as that store's backend understands it.
public protocol StoreLocation: Sendable {}

/// A remote source that was there when listed is gone when read (rsync's "file has vanished",
/// exit 24): a local source reports ENOENT at open instead.
public struct SourceVanished: Error, CustomStringConvertible, Sendable {
    public let path: String
    public init(path: String) { self.path = path }
    public var description: String { "file has vanished: \"\(path)\"" }
}

/// A local file opened by ``LocalBackend``: the descriptor closes with the source.
public final class LocalFileSource: FileSource {
    public let status: FileStatus
    private let fd: Int32
    private let display: Display

    /// The path for messages, made when one needs it: building it for every file opened was
    /// measurable (perf).
    private enum Display {
        case path(String)
        case name([UInt8], in: DirectoryRef)
    }

    /// The file `name` (one name, or a relative path) of `directory`, open as `descriptor`.
    public init(descriptor: Int32, status: FileStatus, directory: DirectoryRef, name: [UInt8]) {
        self.fd = descriptor
        self.status = status
        self.display = .name(name, in: directory)
    }

    public init(descriptor: Int32, status: FileStatus, displayPath: String) {
        self.fd = descriptor
        self.status = status
        self.display = .path(displayPath)
    }

    public var displayPath: String {
        switch display {
        case .path(let path): path
        case .name(let name, let directory): directory.path(of: name)
        }
    }

    deinit { FileSystem.close(fd) }

    public var descriptor: Int32? { fd }
    public var storeLocation: (any StoreLocation)? { nil }

    public func read(_ consume: @escaping @Sendable (Int64, UnsafeRawBufferPointer) throws -> Void) async throws {
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 4096)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < status.size {
            let want = Int(min(Int64(capacity), status.size - offset))
            let n = try FileSystem.readFully(fd, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]),
                                             path: displayPath)
            // Fewer bytes than the version had: it shrank while read, so what we have is no whole version.
            guard n == want else { throw FileSystemError(operation: "read errors mapping", path: displayPath, errno: ENODATA) }
            try consume(offset, UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            offset += Int64(n)
        }
    }

    public func transferred(_ count: Int) -> Bool { !CancellationFlag.isSet }
}

/// A source seen through another: everything forwarded, ``transferred(_:)`` accounted here
/// first. The engine wraps every source it transfers in one, so pacing (`--bwlimit`), the
/// progress count and cancellation never live in a copy loop.
public final class MeteredSource: FileSource {
    let base: any FileSource
    let meter: TransferMeter

    public init(_ base: any FileSource, meter: TransferMeter) {
        self.base = base
        self.meter = meter
    }

    public var status: FileStatus { base.status }
    public var displayPath: String { base.displayPath }
    public var descriptor: Int32? { base.descriptor }
    public var storeLocation: (any StoreLocation)? { base.storeLocation }

    public func read(_ consume: @escaping @Sendable (Int64, UnsafeRawBufferPointer) throws -> Void) async throws {
        try await base.read(consume)
    }

    public func transferred(_ count: Int) -> Bool {
        meter.account(count) && base.transferred(count)
    }
}

/// The run's byte count, and its pace under `--bwlimit`; stops every transfer once the run
/// is interrupted.
public final class TransferMeter: Sendable {
    private let bytes = Atomic<Int64>(0)
    let limiter: BandwidthLimiter?

    public init(bytesPerSecond: Double? = nil) {
        limiter = bytesPerSecond.map { BandwidthLimiter(bytesPerSecond: $0) }
    }

    /// Bytes moved so far.
    public var total: Int64 { bytes.load(ordering: .relaxed) }

    /// Counts bytes moved without a pace (a delta's matched data, which is not sent).
    public func count(_ n: Int64) { bytes.add(n, ordering: .relaxed) }

    /// Counts `n` bytes, sleeping as long as the run is ahead of `--bwlimit`; `false` once the
    /// run was interrupted.
    public func account(_ n: Int) -> Bool {
        bytes.add(Int64(n), ordering: .relaxed)
        if let limiter { return limiter.consume(n) }
        return !CancellationFlag.isSet
    }
}
