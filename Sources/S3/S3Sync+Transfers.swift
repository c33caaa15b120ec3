import AWSCore
import NIOCore
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The three ways one file crosses: upload (PutObject or multipart from mappings of the file),
/// download (one GET, or ranged GETs in parallel, into a temp file named only when complete),
/// server-side copy (CopyObject, or UploadPartCopy ranges).
extension S3Sync {
    /// Uploads one local file, with its mtime and mode as metadata.
    func upload(_ entry: FlatEntry, from tree: LocalTree, to bucket: String, key: String) async throws {
        let display = tree.displayPath(entry)
        let fd = try tree.open(entry)
        defer { FileSystem.close(fd) }
        // What the file holds now, which may differ from what the walk saw.
        let status = try FileSystem.status(of: fd, path: display)
        var put = transfer.put
        put.metadata += ObjectAttributes.metadata(mtime: status.mtime, permissions: status.permissions)
        if status.size >= transfer.multipartThreshold {
            _ = try await client.uploadMultipart(bucket: bucket, key: key, fd: fd, size: status.size, partSize: transfer.partSize,
                                                 concurrency: transfer.concurrency, options: put, checksumCRC32: transfer.partChecksumCRC32,
                                                 path: display,
                                                 onPart: { [progress] in progress.add($0) })
        } else if status.size <= transfer.bufferedUploadLimit {
            // What is read is what is sent (and checked): a file that shrank since the fstat
            // goes up as it now is.
            let size = Int(status.size)
            var buffer = ByteBufferAllocator().buffer(capacity: size)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                try FileSystem.readFully(fd, at: 0, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<size]), path: display)
            }
            try await client.put(bucket: bucket, key: key, buffer: buffer, options: put)
            progress.add(Int64(buffer.readableBytes))
        } else {
            let region = try MappedRegion(fd: fd, offset: 0, length: Int(status.size), path: display)
            try await client.put(bucket: bucket, key: key, region: region, options: put, path: display)
            progress.add(status.size)
        }
    }

    /// Downloads one object into `tree` at `path`: the bytes into a temp file in the target's
    /// directory, checked against the size and (where it is an MD5) the ETag, the mode and
    /// mtime from the object's metadata (`-p`, `-t`), and only then named.
    func download(bucket: String, key: String, size: Int64, etag: String?, lastModified: FileTime,
                  to tree: LocalTree, path: [UInt8], replacing existing: FlatEntry?) async throws {
        let (parent, name) = Self.splitPath(path)
        let directory = try tree.directory(parent, for: path, operation: "writing")
        let parentFD = directory.descriptor
        let display = directory.path(of: name)
        var writer = try AtomicFileWriter(name: name, in: directory, options: WriteOptions(), creationMode: 0o600)
        do {
            let fd = writer.descriptor
            let write: @Sendable (Int64, ByteBuffer) throws -> Void = { [progress] offset, piece in
                try piece.withUnsafeReadableBytes { bytes throws(FileSystemError) in
                    try FileSystem.writeAll(fd, bytes, at: offset, path: display)
                }
                progress.add(Int64(piece.readableBytes))
                try CancellationFlag.check()
            }
            let metadata = try await fetch(bucket: bucket, key: key, size: size, etag: etag, write: write)
            let restored = ObjectAttributes(metadata: metadata)
            var attributes = AttributeSet()
            attributes.permissions = options.preservePermissions ? (restored.permissions ?? 0o644) : 0o666 & ~umask
            if options.preserveTimes { attributes.mtime = restored.mtime ?? lastModified }
            try writer.apply(attributes)
            if existing?.kind == .directory || (try? FileSystem.linkStatus(name, in: parentFD, path: display))?.kind == .directory {
                // A directory stands where the file goes: rsync removes it only when asked to.
                guard options.delete != nil || options.force else {
                    throw PathError(description: "cannot replace directory \"\(display)\" with a file (--delete or --force would)")
                }
                try FileSystem.removeTree(name, in: parentFD, path: display)
            }
            try writer.commit()
        } catch {
            writer.abandon(interrupted: CancellationFlag.isSet)
            throw error
        }
    }

    /// The object's bytes through `write`: one GET below the multipart threshold, else ranged
    /// GETs of the part size in parallel. Checks the ETag when it can (a plain MD5, or a
    /// multipart ETag whose part count matches the ranges). Returns the user metadata.
    private func fetch(bucket: String, key: String, size: Int64, etag: String?,
                       write: @escaping @Sendable (Int64, ByteBuffer) throws -> Void) async throws -> [String: String] {
        let failure = { (message: String) in S3Error(operation: "GetObject", bucket: bucket, key: key, status: nil, code: nil, message: message) }
        guard size >= transfer.multipartThreshold else {
            let download = try await client.get(bucket: bucket, key: key, write: write)
            guard download.totalSize == size || download.object.size == size else {
                throw failure("the object is \(download.object.size) bytes, the listing said \(size): it changed during the sync")
            }
            if let etag, let expected = S3ETag.singlePartDigest(etag), download.etagIsMD5, expected != download.md5 {
                throw failure("the bytes received do not match the object's ETag \(etag)")
            }
            return download.metadata
        }
        // Ranges along the object's own parts, so the multipart ETag can be checked.
        let ownPartSize = try await etag.asyncMap { try await client.partSize(bucket: bucket, key: key, etag: $0) } ?? nil
        let partSize = S3ETag.partSize(for: size, requested: ownPartSize ?? transfer.partSize)
        let count = Int((size + partSize - 1) / partSize)
        var digests = [[UInt8]](repeating: [], count: count)
        var metadata: [String: String] = [:]
        var comparable = true
        try await withThrowingTaskGroup(of: (Int, S3Client.Download).self) { group in
            var next = 0
            func addRange() {
                let index = next
                next += 1
                let first = Int64(index) * partSize
                group.addTask {
                    let download = try await client.get(bucket: bucket, key: key, range: first...(min(size, first + partSize) - 1), write: write)
                    return (index, download)
                }
            }
            while next < min(count, transfer.concurrency) { addRange() }
            while let (index, download) = try await group.next() {
                guard download.totalSize == size else {
                    throw failure("the object is \(download.totalSize) bytes, the listing said \(size): it changed during the sync")
                }
                digests[index] = download.md5
                if index == 0 { metadata = download.metadata }
                comparable = comparable && download.etagIsMD5
                if next < count { addRange() }
            }
        }
        if let etag, comparable, S3ETag.partCount(etag) == count, S3ETag.multipart(digests) != etag {
            throw failure("the bytes received do not match the object's ETag \(etag)")
        }
        return metadata
    }

    /// A server-side copy of one object. A multipart source is copied part for part (its own
    /// part size, learnt from a HEAD of part 1), so the copy has the same ETag and `-c` can
    /// compare them; a single-part one with one CopyObject, which keeps its metadata.
    func copy(from sourceBucket: String, key sourceKey: String, size: Int64, etag: String?,
              to bucket: String, key: String) async throws {
        var put = transfer.put
        let sourcePartSize = try await etag.asyncMap { try await client.partSize(bucket: sourceBucket, key: sourceKey, etag: $0) } ?? nil
        let threshold = min(transfer.multipartCopyThreshold, S3Client.maximumCopyObjectSize)
        if sourcePartSize != nil || size >= threshold || !transfer.put.metadata.isEmpty {
            // A new object: it carries the source's metadata only if given them.
            guard let (source, metadata) = try await client.head(bucket: sourceBucket, key: sourceKey) else {
                throw S3Error(operation: "HeadObject", bucket: sourceBucket, key: sourceKey, status: 404, code: "NoSuchKey", message: "vanished")
            }
            put.metadata = metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + transfer.put.metadata
            put.contentType = put.contentType ?? source.contentType
        }
        if sourcePartSize != nil || size >= threshold {
            _ = try await client.copyMultipart(from: sourceBucket, key: sourceKey, size: size, to: bucket, key: key,
                                               partSize: sourcePartSize ?? transfer.partSize, concurrency: transfer.concurrency, options: put)
        } else {
            try await client.copyObject(from: sourceBucket, key: sourceKey, to: bucket, key: key,
                                        directive: transfer.put.metadata.isEmpty ? .copy : .replace, options: put)
        }
        if transfer.boto?.preserveACL == true {
            try await client.copyACL(from: sourceBucket, key: sourceKey, to: bucket, key: key)
        }
        progress.add(size)
    }

    /// A directory the destination lacks: made locally, or an empty `dir/` key in S3.
    func makeDirectory(_ entry: FlatEntry, roots: Roots) async {
        var change = ItemizedChange(update: .localChange, kind: .directory, isNew: true)
        if case .s3 = roots.destination { change.update = roots.source.isLocal ? .sent : .received }
        reporter.changed(change, path: entry.name)
        reporter.statistics.countCreated(.directory)
        guard !options.dryRun else { return }
        do {
            switch (roots.source, roots.destination) {
            case (_, .local(let tree)):
                try makeLocalDirectory(entry.name, in: tree)
            case (.s3(let sourceBucket, let sourcePrefix), .s3(let bucket, let prefix)) where !entry.implicit:
                try await client.copyObject(from: sourceBucket, key: sourcePrefix + entry.text, to: bucket, key: prefix + entry.text,
                                            directive: .copy, options: transfer.put)
            case (_, .s3(let bucket, let prefix)):
                try await client.put(bucket: bucket, key: prefix + entry.text, bytes: [], options: transfer.put)
            }
        } catch {
            reporter.error("\(error)")
        }
    }

    /// `mkdir` below the tree's root (made first if need be), replacing a non-directory in the
    /// way (a symlink too: it is removed, never followed).
    func makeLocalDirectory(_ path: [UInt8], in tree: LocalTree) throws {
        let (parent, name) = Self.splitPath(path)
        let directory = try tree.directory(parent, for: path, operation: "making directory")
        let display = directory.path(of: name)
        if let status = try? FileSystem.linkStatus(name, in: directory.descriptor, path: display) {
            if status.kind == .directory { return }
            try FileSystem.remove(name, in: directory.descriptor, isDirectory: false, path: display)
        }
        try FileSystem.makeDirectory(name, in: directory.descriptor, mode: 0o777, path: display)
    }

    /// The destination directory of a download, made when missing (the last `levels`
    /// components, all of them with `--mkpath`); false, with rsync's exit 11, when it cannot be.
    func prepareLocalRoot(_ tree: LocalTree, levels: Int) -> Bool {
        let bytes = Array(tree.root.utf8)
        if let status = try? FileSystem.status(bytes, in: FileSystem.currentDirectory, path: tree.root) {
            guard status.kind == .directory else {
                reporter.fatalIO("destination \"\(tree.root)\" is not a directory")
                return false
            }
            return true
        }
        reporter.info("created directory \(tree.root)")
        if options.dryRun { return true }
        var prefix: [UInt8] = bytes.first == UInt8(ascii: "/") ? [UInt8(ascii: "/")] : []
        let components = bytes.split(separator: UInt8(ascii: "/"))
        for (index, component) in components.enumerated() {
            prefix += component
            if index >= components.count - levels || options.makePath {
                do {
                    try FileSystem.makeDirectory(prefix, in: FileSystem.currentDirectory, mode: 0o777, path: DisplayPath.escape(prefix))
                } catch where error.errno == EEXIST {
                } catch {
                    reporter.fatalIO("mkdir \"\(tree.root)\" failed: \(error.reason)")
                    return false
                }
            }
            prefix.append(UInt8(ascii: "/"))
        }
        return true
    }

    /// `a/b/c` → (`a/b`, `c`).
    static func splitPath(_ path: [UInt8]) -> (parent: [UInt8], name: [UInt8]) {
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return ([], path) }
        return (Array(path[..<slash]), Array(path[(slash + 1)...]))
    }
}


extension S3Sync.Side {
    var isLocal: Bool { if case .local = self { true } else { false } }
}
