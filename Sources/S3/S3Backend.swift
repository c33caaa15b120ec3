import AWSCore
import SyncCore
import Synchronization
import SyncSystem

/// S3 as a ``Backend``: a directory is a key prefix, a file an object. One flat
/// ListObjectsV2 listing is cut into directories as its pages arrive (see
/// ``S3ListingStream``), so a no-op costs a page per 1,000 keys and memory holds one page and
/// the directories on the walk's path, whatever the bucket's size. Objects go up by PutObject
/// or a multipart upload from a mapping of the local file, come down by ranged GETs, and move
/// within the endpoint by server-side copy.
///
/// What S3 cannot hold (modes and owners that can be set, mtimes it keeps as given, symlinks,
/// devices, hard links, rewriting part of an object) it does not declare: the engine then
/// compares an object's time as when it was written, and refuses the options that need more.
public struct S3Backend: Backend {
    let client: S3Client
    let transfer: S3TransferOptions
    /// `--chmod` on an S3 → S3 copy: the stored mode is read and rewritten.
    let rewritesModes: Bool
    /// Set when the other side is local: a listed key that cannot be a local path is left out
    /// and named here.
    let refusesUnsafeKeys: (@Sendable (String) -> Void)?
    private let streams: Streams

    /// The listings the walk reads, one per root (made by ``prime(bucket:prefix:)`` or by the
    /// first listing under a prefix no root covers).
    final class Streams: Sendable {
        let roots = Mutex<[S3ListingStream]>([])

        /// The root listing the keys under `prefix` belong to (the one of the longest prefix).
        func covering(bucket: String, prefix: [UInt8]) -> S3ListingStream? {
            roots.withLock { roots in
                roots.filter { $0.bucket == bucket && prefix.starts(with: $0.prefix) }.max { $0.prefix.count < $1.prefix.count }
            }
        }

        /// Makes `stream` the listing of its prefix, in place of any before it.
        func register(_ stream: S3ListingStream) {
            roots.withLock { roots in
                roots.removeAll { $0.bucket == stream.bucket && $0.prefix == stream.prefix }
                roots.append(stream)
            }
        }
    }

    public init(client: S3Client, transfer: S3TransferOptions, rewritesModes: Bool = false,
                refusingUnsafeKeys: (@Sendable (String) -> Void)? = nil) {
        self.client = client
        self.transfer = transfer
        self.rewritesModes = rewritesModes
        self.refusesUnsafeKeys = refusingUnsafeKeys
        self.streams = Streams()
    }

    public var capabilities: BackendCapabilities {
        var capabilities: BackendCapabilities = [.serverSideCopy, .fileAndDirectoryOfOneName, .streamedListing, .remote]
        if transfer.boto?.directoryKeys == true { capabilities.insert(.directoryMarkers) }
        return capabilities
    }
    public var name: String { "S3" }

    static func s3(_ ref: DirectoryRef) throws -> S3Directory {
        guard let directory = ref as? S3Directory else { throw FileSystemError(operation: "opendir", path: ref.displayPath, errno: EBADF) }
        return directory
    }

    // MARK: Entries as the engine sees them

    /// What a listing knows of an object: its size, and LastModified for its time (the stored
    /// mtime and mode come with the object itself).
    static func fileStatus(size: Int64, lastModified: FileTime) -> FileStatus {
        FileStatus(kind: .regular, permissions: 0o644, size: size, mtime: lastModified)
    }

    static func fileEntry(_ name: [UInt8], _ object: S3Object) -> FileEntry {
        FileEntry(name: name, status: fileStatus(size: object.size, lastModified: FileTime(seconds: object.lastModified)), etag: object.etag)
    }

    static func directoryEntry(_ name: [UInt8]) -> FileEntry {
        FileEntry(name: name, status: FileStatus(kind: .directory, permissions: 0o755))
    }

    // MARK: Roots

    /// `s3://bucket/key`, or a path relative to `base` (`..` climbs prefixes); the bucket and
    /// the key prefix it names.
    func resolve(_ path: [UInt8], relativeTo base: DirectoryRef?) throws -> (bucket: String, key: String) {
        let text = String(decoding: path, as: UTF8.self)
        if let url = S3URL(text) { return (url.bucket, url.key) }
        guard !text.hasPrefix("/"), let base = try base.map(Self.s3) else {
            throw FileSystemError(operation: "opendir", path: text, errno: EINVAL)
        }
        var components = base.prefix.split(separator: "/").map(String.init)
        for component in text.split(separator: "/") {
            if component == ".." {
                _ = components.popLast()
            } else if component != "." {
                components.append(String(component))
            }
        }
        let key = components.joined(separator: "/")
        return (base.bucket, key.isEmpty || !text.hasSuffix("/") ? key : key + "/")
    }

    /// A prefix with a trailing slash (or the bucket) is a directory whatever it holds; a name
    /// without one is a directory only when keys lie below it (S3 has no empty directories).
    public func openRoot(_ path: [UInt8], relativeTo base: DirectoryRef?, followSymlink: Bool) async throws -> DirectoryRef? {
        let (bucket, key) = try resolve(path, relativeTo: base)
        if key.isEmpty || key.hasSuffix("/") { return S3Directory(bucket: bucket, prefix: key) }
        let prefix = key + "/"
        let primed = streams.covering(bucket: bucket, prefix: Array(prefix.utf8))?.bufferedHasKeys(startingWith: Array(prefix.utf8))
        let isDirectory: Bool
        if let primed { isDirectory = primed } else { isDirectory = try await client.hasKeys(bucket: bucket, prefix: prefix) }
        return isDirectory ? S3Directory(bucket: bucket, prefix: prefix) : nil
    }

    /// Starts the listing of the root that `path` (an `s3://` URL) names, reading its first page:
    /// a bucket that does not answer, or refuses, is known before anything is touched, and
    /// that page is the walk's first. A name without a trailing slash is listed as the
    /// directory it may be.
    public func prime(_ path: String) async throws {
        guard let url = S3URL(path) else { return }
        let prefix = Array((url.key.isEmpty || url.key.hasSuffix("/") ? url.key : url.key + "/").utf8)
        if let known = streams.covering(bucket: url.bucket, prefix: prefix), known.prefix == prefix { return }
        let stream = S3ListingStream(client: client, bucket: url.bucket, prefix: prefix)
        streams.register(stream)
        _ = try await stream.head()
    }

    /// Nothing to make: a prefix exists once something is put under it.
    public func makeRoot(_ path: [UInt8], relativeTo base: DirectoryRef?, parents: Bool) async throws -> DirectoryRef {
        let (bucket, key) = try resolve(path, relativeTo: base)
        return S3Directory(bucket: bucket, prefix: key.isEmpty || key.hasSuffix("/") ? key : key + "/")
    }

    public func status(of directory: DirectoryRef) async throws -> FileStatus {
        _ = try Self.s3(directory)
        return FileStatus(kind: .directory, permissions: 0o755)
    }

    public func isSameDirectory(_ a: DirectoryRef, _ b: DirectoryRef) async throws -> Bool {
        let x = try Self.s3(a), y = try Self.s3(b)
        return x.bucket == y.bucket && x.prefix == y.prefix
    }

    // MARK: Listing

    public func openDirectory(_ name: [UInt8], in parent: DirectoryRef, followSymlink: Bool) async throws -> DirectoryRef? {
        try Self.s3(parent).child(name)
    }

    /// The walk's directories come from one listing read front to back; a directory asked for
    /// out of that order (a look inside one about to be replaced) gets a listing of its own.
    public func list(_ directory: DirectoryRef) async throws -> any DirectoryListing {
        let dir = try Self.s3(directory)
        let prefix = dir.prefixBytes
        if let root = streams.covering(bucket: dir.bucket, prefix: prefix), root.canServe(prefix),
           try await root.head().map({ compareNames($0.key, prefix) >= 0 }) ?? true {
            // Served from the walk's listing: nothing before the directory is still unread there.
            return S3DirectoryListing(stream: root, directory: dir, refusingUnsafeKeys: refusesUnsafeKeys)
        }
        // A new root (the first listing, or a destination root below the primed one), or a
        // look out of the walk's order: a listing of its own, which the directories below it
        // are then read from.
        let stream = S3ListingStream(client: client, bucket: dir.bucket, prefix: prefix)
        streams.register(stream)
        return S3DirectoryListing(stream: stream, directory: dir, refusingUnsafeKeys: refusesUnsafeKeys)
    }

    public func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) async throws -> FileEntry? {
        let dir = try Self.s3(directory)
        return try await entry(bucket: dir.bucket, key: dir.key(name), name: name)
    }

    public func entry(atPath path: [UInt8], beneath root: DirectoryRef) async throws -> FileEntry? {
        let dir = try Self.s3(root)
        let name = Array(path.split(separator: UInt8(ascii: "/")).last ?? [])
        return try await entry(bucket: dir.bucket, key: dir.key(path), name: name)
    }

    /// An object of that key, else a directory if keys lie below it, else nothing.
    private func entry(bucket: String, key: String, name: [UInt8]) async throws -> FileEntry? {
        if let (object, _) = try await client.head(bucket: bucket, key: key) {
            return FileEntry(name: name, status: Self.fileStatus(size: object.size, lastModified: FileTime(seconds: object.lastModified)),
                             etag: object.etag)
        }
        return try await client.hasKeys(bucket: bucket, prefix: key + "/") ? Self.directoryEntry(name) : nil
    }

    // MARK: Reading

    public func openFile(_ name: [UInt8], in directory: DirectoryRef, listed: FileEntry?) async throws -> any FileSource {
        let dir = try Self.s3(directory)
        return try await openObject(bucket: dir.bucket, key: dir.key(name), listed: listed)
    }

    public func openFile(atPath path: [UInt8], beneath root: DirectoryRef) async throws -> any FileSource {
        let dir = try Self.s3(root)
        return try await openObject(bucket: dir.bucket, key: dir.key(path), listed: nil)
    }

    /// The listing's size, time and ETag when given, else a HEAD's.
    private func openObject(bucket: String, key: String, listed: FileEntry?) async throws -> any FileSource {
        if let listed, listed.kind == .regular {
            return S3ObjectSource(client: client, transfer: transfer, bucket: bucket, key: key, size: listed.status.size,
                                  etag: listed.etag, lastModified: listed.status.mtime)
        }
        guard let (object, _) = try await client.head(bucket: bucket, key: key) else {
            throw FileSystemError(operation: "open", path: "s3://\(bucket)/\(key)", errno: ENOENT)
        }
        return S3ObjectSource(client: client, transfer: transfer, bucket: bucket, key: key, size: object.size, etag: object.etag,
                              lastModified: FileTime(seconds: object.lastModified))
    }
}

#if canImport(Glibc)
import Glibc
#endif
