import AWSCore
import NIOCore
import SyncCore
import SyncSystem

/// Putting objects (uploads from local files, server-side copies), removing and renaming them,
/// and comparing contents by ETag.
extension S3Backend {
    /// A key must be UTF-8 text: a local name that is not cannot become one.
    static func key(_ name: [UInt8], in directory: S3Directory) throws -> String {
        guard String(validating: name, as: UTF8.self) != nil else {
            throw FileSystemError(operation: "upload (S3 keys are UTF-8; this name is not)", path: directory.path(of: name), errno: EILSEQ)
        }
        return directory.key(name)
    }

    /// With `-b`, the object being replaced is first copied to its backup key; then the new one
    /// is put: uploaded from a local file (its mtime and mode as metadata), or copied within
    /// the endpoint when the source is an object there.
    public func putFile(_ name: [UInt8], in directory: DirectoryRef, from source: any FileSource,
                        attributes: AttributesForVersion, options: WriteOptions) async throws -> Int64 {
        let dir = try Self.s3(directory)
        let key = try Self.key(name, in: dir)
        if let backup = options.backup {
            let backupDirectory = try Self.s3(backup.directory)
            try await keepOldVersion(bucket: dir.bucket, key: key, as: backupDirectory.bucket, try Self.key(backup.name, in: backupDirectory))
        }
        if let location = source.storeLocation as? S3ObjectLocation, location.client == ObjectIdentifier(client) {
            let object = S3ObjectSource(client: client, transfer: transfer, bucket: location.bucket, key: location.key, size: location.size,
                                        etag: location.etag, lastModified: source.status.mtime)
            try await copy(object, to: dir.bucket, key: key, attributes: attributes)
            guard source.transferred(Int(location.size)) else { throw SyncInterrupted() }
            return location.size
        }
        guard let fd = source.descriptor else {
            // Bytes from another store: spooled to an unnamed local file first, so that what
            // goes up is one whole version, with its size known and its parts re-readable.
            let spool = try await Self.spool(source)
            defer { FileSystem.close(spool) }
            return try await upload(spool, source: source, to: dir.bucket, key: key, attributes: attributes(source.status),
                                    alreadyCounted: true)
        }
        return try await upload(fd, source: source, to: dir.bucket, key: key, attributes: attributes(source.status))
    }

    /// A streamed source read into an unnamed temporary file (gone when closed, whatever stops
    /// the run); each piece is counted as it arrives, so pacing and stopping still apply.
    static func spool(_ source: any FileSource) async throws -> Int32 {
        let directory = SystemProcess.environmentValue("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let parent = try FileSystem.openDirectory(Array(directory.utf8), in: FileSystem.currentDirectory, followSymlink: true, path: directory)
        defer { FileSystem.close(parent) }
        guard let fd = try FileSystem.openUnnamedTemporary(in: parent, mode: 0o600, readable: true, path: directory) else {
            throw FileSystemError(operation: "open (an unnamed temporary file)", path: directory, errno: EOPNOTSUPP)
        }
        do {
            try await source.read { offset, bytes in
                try FileSystem.writeAll(fd, bytes, at: offset, path: directory)
                guard source.transferred(bytes.count) else { throw SyncInterrupted() }
            }
            return fd
        } catch {
            FileSystem.close(fd)
            throw error
        }
    }

    /// Uploads one local file: a multipart upload from mappings of it at the threshold and
    /// above, else one PutObject of a buffer it is read into (small files) or of a mapping.
    /// Every byte is counted (paced, and allowed to stop the upload) before it is sent, unless
    /// `alreadyCounted` (spooled from a stream that was counted as it came).
    private func upload(_ fd: Int32, source: any FileSource, to bucket: String, key: String, attributes: AttributeSet,
                        alreadyCounted: Bool = false) async throws -> Int64 {
        let display = source.displayPath
        let account: @Sendable (Int64) throws -> Void = { count in
            if alreadyCounted { return try CancellationFlag.check() }
            var left = count
            // In pieces, so that --bwlimit paces a large object as it would a stream.
            while left > 0 {
                let piece = Int(min(left, 256 << 10))
                guard source.transferred(piece) else { throw SyncInterrupted() }
                left -= Int64(piece)
            }
        }
        let status = source.status
        var put = transfer.put
        put.metadata += ObjectAttributes.metadata(mtime: attributes.mtime ?? status.mtime, permissions: attributes.permissions ?? status.permissions)
        if status.size >= transfer.multipartThreshold {
            _ = try await client.uploadMultipart(bucket: bucket, key: key, fd: fd, size: status.size, partSize: transfer.partSize,
                                                 concurrency: transfer.concurrency, options: put, checksumCRC32: transfer.partChecksumCRC32,
                                                 path: display, beforePart: account)
        } else if status.size <= transfer.bufferedUploadLimit {
            // What is read is what is sent (and checked): a file that shrank since the fstat
            // goes up as it now is.
            let size = Int(status.size)
            var buffer = ByteBufferAllocator().buffer(capacity: size)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                try FileSystem.readFully(fd, at: 0, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<size]), path: display)
            }
            try account(Int64(buffer.readableBytes))
            try await client.put(bucket: bucket, key: key, buffer: buffer, options: put)
        } else {
            try account(status.size)
            let region = try MappedRegion(fd: fd, offset: 0, length: Int(status.size), path: display)
            try await client.put(bucket: bucket, key: key, region: region, options: put, path: display)
        }
        if CancellationFlag.isSet { throw SyncInterrupted() }
        return status.size
    }

    /// A server-side copy of one object. A multipart source is copied part for part (its own
    /// part size, learnt from a HEAD of part 1), so the copy has the same ETag and `-c` can
    /// compare them; a single-part one with one CopyObject, which keeps its metadata. New
    /// metadata (`--metadata`, or a mode `--chmod` rewrites) makes a new object's metadata.
    private func copy(_ object: S3ObjectSource, to bucket: String, key: String, attributes: AttributesForVersion) async throws {
        var put = transfer.put
        let size = object.status.size
        let sourcePartSize = try await object.etag.asyncMap { try await client.partSize(bucket: object.bucket, key: object.key, etag: $0) } ?? nil
        let threshold = min(transfer.multipartCopyThreshold, S3Client.maximumCopyObjectSize)
        var rewritten = !transfer.put.metadata.isEmpty
        if sourcePartSize != nil || size >= threshold || rewritten || rewritesModes {
            // A new object: it carries the source's metadata only if given them.
            guard let (head, metadata) = try await client.head(bucket: object.bucket, key: object.key) else {
                throw SourceVanished(path: object.displayPath)
            }
            var stored = metadata
            if rewritesModes {
                try await object.loadMetadata()
                if let mode = attributes(object.status).permissions, mode != object.status.permissions {
                    stored["mode"] = String(mode & 0o7777, radix: 8)
                    rewritten = true
                }
            }
            put.metadata = stored.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + transfer.put.metadata
            put.contentType = put.contentType ?? head.contentType
        }
        if sourcePartSize != nil || size >= threshold {
            _ = try await client.copyMultipart(from: object.bucket, key: object.key, size: size, to: bucket, key: key,
                                               partSize: sourcePartSize ?? transfer.partSize, concurrency: transfer.concurrency, options: put)
        } else {
            try await client.copyObject(from: object.bucket, key: object.key, to: bucket, key: key,
                                        directive: rewritten ? .replace : .copy, options: put)
        }
        if transfer.boto?.preserveACL == true {
            try await client.copyACL(from: object.bucket, key: object.key, to: bucket, key: key)
        }
    }

    /// `-b` on S3: the object about to be replaced is copied to its backup key first (nothing
    /// to keep when there is no object yet).
    private func keepOldVersion(bucket: String, key: String, as backupBucket: String, _ backupKey: String) async throws {
        guard let (old, _) = try await client.head(bucket: bucket, key: key) else { return }
        let source = S3ObjectSource(client: client, transfer: transfer, bucket: bucket, key: key, size: old.size, etag: old.etag,
                                    lastModified: FileTime(seconds: old.lastModified))
        try await copy(source, to: backupBucket, key: backupKey, attributes: { _ in AttributeSet() })
    }

    public func putFileUsingBasis(_ name: [UInt8], in directory: DirectoryRef, basis: BasisFile?, from source: any FileSource,
                                  attributes: AttributesForVersion, options: WriteOptions) async throws -> (literal: Int64, matched: Int64) {
        throw FileSystemError(operation: "delta (S3 objects are written whole)", path: directory.path(of: name), errno: ENOTSUP)
    }

    /// A prefix needs no making; boto-rsync's habit of an empty `dir/` key is kept when asked for.
    public func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) async throws {
        let dir = try Self.s3(directory)
        guard transfer.boto?.directoryKeys == true else { return }
        try await client.put(bucket: dir.bucket, key: try Self.key(name, in: dir) + "/", bytes: [], options: transfer.put)
    }

    public func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) async throws {
        throw FileSystemError(operation: "symlink (S3 has none)", path: directory.path(of: name), errno: ENOTSUP)
    }

    public func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) async throws {
        throw FileSystemError(operation: "mknod (S3 has no devices or special files)", path: directory.path(of: name), errno: ENOTSUP)
    }

    public func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, toPath path: [UInt8], beneath root: DirectoryRef) async throws {
        throw FileSystemError(operation: "link (S3 has no hard links)", path: directory.path(of: name), errno: ENOTSUP)
    }

    /// An object's metadata cannot change without a new copy: nothing is set after the fact.
    public func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ attributes: AttributeSet) async throws {}
    public func setAttributes(of directory: DirectoryRef, _ attributes: AttributeSet) async throws {}

    /// An object, or every key under a prefix (in DeleteObjects batches of 1,000, each
    /// reported deepest first, then the directory).
    public func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                       removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) async throws {
        let dir = try Self.s3(directory)
        guard kind == .directory else {
            try await deleteKeys(bucket: dir.bucket, [(dir.key(name), name, kind)], removed: removed)
            return
        }
        var batch: [(key: String, path: [UInt8], kind: FileKind)] = []
        func visit(_ directory: S3Directory, path: [UInt8]) async throws {
            let listing = try await list(directory)
            while let entry = try await listing.next() {
                let childPath = path + [UInt8(ascii: "/")] + entry.name
                if entry.kind == .directory {
                    try await visit(directory.child(entry.name), path: childPath)
                } else {
                    batch.append((directory.key(entry.name), childPath, entry.kind))
                    if batch.count >= 1000 {
                        try await deleteKeys(bucket: dir.bucket, batch, removed: removed)
                        batch.removeAll()
                    }
                }
            }
            // Its own `dir/` key, if it has one (deleting a missing key is no error in S3).
            batch.append((directory.prefix, path, .directory))
        }
        try await visit(dir.child(name), path: name)
        try await deleteKeys(bucket: dir.bucket, batch, removed: removed)
    }

    /// One DeleteObjects, reported deepest first (rsync's order), the first refusal thrown.
    private func deleteKeys(bucket: String, _ batch: [(key: String, path: [UInt8], kind: FileKind)],
                            removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) async throws {
        guard !batch.isEmpty else { return }
        let refused = try await client.delete(bucket: bucket, keys: batch.map(\.key))
        if let (key, reason) = refused.first {
            throw S3Error(operation: "DeleteObjects", bucket: bucket, key: key, status: nil, code: nil, message: reason)
        }
        for item in batch.sorted(by: { Self.deletedFirst($0.path, $1.path) }) { removed(item.path, item.kind) }
    }

    /// rsync's order of removal: a directory's contents before it, names in reverse order.
    static func deletedFirst(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let x = a.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let y = b.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (p, q) in zip(x, y) where !p.elementsEqual(q) { return compareNames(Array(p), Array(q)) > 0 }
        return x.count > y.count
    }

    /// A copy to the new key, then the old one deleted (`-b` moving a file aside).
    public func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) async throws {
        let from = try Self.s3(directory), to = try Self.s3(newDirectory)
        let key = from.key(name)
        guard let (object, _) = try await client.head(bucket: from.bucket, key: key) else {
            throw FileSystemError(operation: "rename", path: from.path(of: name), errno: ENOENT)
        }
        let source = S3ObjectSource(client: client, transfer: transfer, bucket: from.bucket, key: key, size: object.size, etag: object.etag,
                                    lastModified: FileTime(seconds: object.lastModified))
        try await copy(source, to: to.bucket, key: try Self.key(newName, in: to), attributes: { _ in AttributeSet() })
        try await deleteKeys(bucket: from.bucket, [(key, name, .regular)]) { _, _ in }
    }

    // MARK: Comparing

    /// `-c`: an object's ETag against another object's, or against the one S3 would have made of
    /// a local file's bytes (a plain MD5, or a multipart ETag for our part size or another
    /// common one with the same part count).
    public func sameContents(_ entry: FileEntry, in directory: DirectoryRef, as other: any FileSource) async throws -> Bool? {
        guard let etag = entry.etag else { return nil }
        if let object = other.storeLocation as? S3ObjectLocation { return object.etag == etag }
        guard let fd = other.descriptor else { return nil }
        let region = try MappedRegion(fd: fd, offset: 0, length: Int(other.status.size), path: other.displayPath)
        return region.withBytes { bytes in
            guard let parts = S3ETag.partCount(etag) else { return S3ETag.single(S3ETag.md5(bytes)) == etag }
            let size = Int64(bytes.count)
            let candidates = [transfer.partSize] + [5, 8, 15, 16, 32, 64, 100, 128, 256, 512].map { Int64($0) << 20 }
            var tried = Set<Int64>()
            for requested in candidates {
                let part = S3ETag.partSize(for: size, requested: requested)
                guard (size + part - 1) / part == parts, tried.insert(part).inserted else { continue }
                let digests = stride(from: 0, to: bytes.count, by: Int(part)).map {
                    S3ETag.md5(UnsafeRawBufferPointer(rebasing: bytes[$0..<min(bytes.count, $0 + Int(part))]))
                }
                if S3ETag.multipart(digests) == etag { return true }
            }
            return false
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
