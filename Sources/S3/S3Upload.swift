import AWSCore
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// Options of a sync to or from S3 beyond the rsync ones in ``SyncOptions``.
public struct S3TransferOptions: Sendable {
    /// Files this size and larger go up as multipart uploads (`--multipart-threshold`).
    public var multipartThreshold: Int64 = 8 << 20
    /// `--part-size`, grown to stay within 10,000 parts.
    public var partSize: Int64 = 8 << 20
    /// Requests in flight across files and parts (`--s3-concurrency`).
    public var concurrency = 16
    public var put = S3PutOptions()

    public init() {}
}

/// `swiftsync [OPTIONS] SRC DEST` with DEST = `s3://bucket/prefix/`: the local tree walked,
/// the prefix listed (no HEAD per object), and each file uploaded when it is missing, its size
/// differs or it is newer than the object (`--size-only`: size alone; `-c`: ETags). `--delete`
/// removes objects the source lacks, in DeleteObjects batches. Output, statistics and exit codes
/// are the local sync's (``SyncReporter``).
public struct S3Upload: Sendable {
    let client: S3Client
    let options: SyncOptions
    let transfer: S3TransferOptions
    let reporter: SyncReporter

    public init(client: S3Client, options: SyncOptions, transfer: S3TransferOptions, reporter: SyncReporter) {
        self.client = client
        self.options = options
        self.transfer = transfer
        self.reporter = reporter
    }

    /// One local file to consider: its path below the source root and its status.
    struct LocalFile: Sendable {
        let relativePath: [UInt8]
        let parent: String
        let name: [UInt8]
        let status: FileStatus
        let followed: Bool

        var displayPath: String { parent + "/" + String(decoding: name, as: UTF8.self) }

        /// Opens the file for reading (through its symlink only when `-L` followed one).
        func open() throws(FileSystemError) -> Int32 {
            let directory = try FileSystem.openDirectory(Array(parent.utf8), in: FileSystem.currentDirectory, followSymlink: true, path: parent)
            defer { FileSystem.close(directory) }
            return try FileSystem.open(name, in: directory, flags: O_RDONLY | O_CLOEXEC | (followed ? 0 : O_NOFOLLOW), mode: 0, path: displayPath)
        }
    }

    /// Runs the sync; returns rsync's exit code.
    public func run(source: String, destination: S3URL) async -> ExitCode {
        var prefix = destination.key
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        // rsync's rule: "dir/" syncs the contents, "dir" the directory by name.
        if !source.hasSuffix("/"),
           (try? FileSystem.status(Array(source.utf8), in: FileSystem.currentDirectory, path: source))?.kind == .directory {
            prefix += (source.split(separator: "/").last.map(String.init) ?? source) + "/"
        }
        let files: [LocalFile]
        do {
            files = try walk(source)
        } catch {
            reporter.error("\(error)")
            return reporter.exitCode == .success ? .partialTransfer : reporter.exitCode
        }
        var remote: [String: S3Object] = [:]
        do {
            for object in try await client.list(bucket: destination.bucket, prefix: prefix).objects { remote[object.key] = object }
        } catch {
            reporter.error("\(error)")
            // No answer at all is a socket error (rsync's 10); an answer refusing the listing
            // (no such bucket, access denied) is like an unusable destination directory (11).
            return (error as? S3Error)?.status == nil ? .socketIO : .fileIO
        }
        var uploads: [(LocalFile, String, Bool)] = []
        var wanted = Set<String>()
        for file in files {
            guard let relative = String(validating: file.relativePath, as: UTF8.self) else {
                reporter.error("skipping \"\(String(decoding: file.relativePath, as: UTF8.self))\": the name is not valid UTF-8, which S3 keys must be")
                continue
            }
            let key = prefix + relative
            wanted.insert(key)
            reporter.statistics.countSource(.regular)
            reporter.statistics.add(.totalFileSize, file.status.size)
            var change = ItemizedChange(update: .sent, kind: .regular)
            if let object = remote[key] {
                change.size = object.size != file.status.size
                change.time = !options.sizeOnly && file.status.mtime.seconds > object.lastModified
                if options.checksum && !change.size {
                    change.checksum = localETag(file, partSize: transfer.partSize) != object.etag
                    change.time = false
                }
                if options.ignoreTimes { change.time = true }
                guard change.size || change.time || change.checksum else { continue }
            } else {
                change.isNew = true
            }
            reporter.changed(change, path: file.relativePath)
            uploads.append((file, key, change.isNew))
        }
        await upload(uploads, bucket: destination.bucket)
        if options.delete != nil {
            if reporter.exitCode == .success || options.dryRun {
                await deleteExtraneous(remote.keys.filter { !wanted.contains($0) }.sorted(), prefix: prefix, bucket: destination.bucket)
            } else {
                reporter.error("not deleting in s3://\(destination.bucket)/\(prefix): there were errors")
            }
        }
        return reporter.exitCode
    }

    /// Every regular file under `root` (following symlinks with `-L`, else one warning each),
    /// filters applied, in path order.
    func walk(_ root: String) throws -> [LocalFile] {
        var result: [LocalFile] = []
        let rootStatus = try FileSystem.status(Array(root.utf8), in: FileSystem.currentDirectory, path: root)
        if rootStatus.kind != .directory {
            let name = Array((root.split(separator: "/").last.map(String.init) ?? root).utf8)
            let parent = root.contains("/") ? String(root[..<root.lastIndex(of: "/")!]) : "."
            result.append(LocalFile(relativePath: name, parent: parent.isEmpty ? "/" : parent, name: name, status: rootStatus, followed: true))
            return result
        }
        func visit(_ directory: String, _ relative: [UInt8]) {
            let fd: Int32
            do {
                fd = try FileSystem.openDirectory(Array(directory.utf8), in: FileSystem.currentDirectory, followSymlink: true, path: directory)
            } catch {
                reporter.error("\(error)")
                return
            }
            defer { FileSystem.close(fd) }
            let names: [[UInt8]]
            do { names = try FileSystem.readDirectoryNames(fd, path: directory).sorted { $0.lexicographicallyPrecedes($1) } } catch {
                reporter.error("\(error)")
                return
            }
            for name in names {
                let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
                let display = directory + "/" + String(decoding: name, as: UTF8.self)
                guard var status = try? FileSystem.linkStatus(name, in: fd, path: display) else {
                    reporter.vanished(display)
                    continue
                }
                var followed = false
                if status.kind == .symlink {
                    guard options.copyLinks, let target = try? FileSystem.status(name, in: fd, path: display) else {
                        reporter.warning("skipping symlink \"\(display)\"" + (options.copyLinks ? " (dangling)" : " (S3 has none; -L copies what it points to)"))
                        continue
                    }
                    status = target
                    followed = true
                }
                let isDirectory = status.kind == .directory
                if options.filters.excludesOnSender(path, isDirectory: isDirectory) { continue }
                if isDirectory {
                    if options.recursive { visit(display, path) } else { reporter.info("skipping directory \(String(decoding: path, as: UTF8.self))") }
                } else if status.kind == .regular {
                    if let min = options.filters.minimumSize, status.size < min { continue }
                    if let max = options.filters.maximumSize, status.size > max { continue }
                    result.append(LocalFile(relativePath: path, parent: directory, name: name, status: status, followed: followed))
                } else {
                    reporter.warning("skipping non-regular file \"\(display)\"")
                }
            }
        }
        visit(root.hasSuffix("/") ? String(root.dropLast()) : root, [])
        return result
    }

    /// Uploads in parallel, at most `concurrency` files at once (multipart ones bring their parts).
    func upload(_ uploads: [(LocalFile, String, Bool)], bucket: String) async {
        guard !options.dryRun else {
            for (file, _, isNew) in uploads { count(file, isNew: isNew) }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                let (file, key, isNew) = uploads[next]
                next += 1
                group.addTask { await self.upload(file, key: key, isNew: isNew, bucket: bucket) }
            }
            while next < min(uploads.count, max(1, transfer.concurrency)) { start() }
            while await group.next() != nil {
                if CancellationFlag.isSet { group.cancelAll(); break }
                if next < uploads.count { start() }
            }
        }
        if CancellationFlag.isSet { reporter.interrupted() }
    }

    private func count(_ file: LocalFile, isNew: Bool) {
        reporter.statistics.add(.regularTransferred)
        reporter.statistics.add(.transferredSize, file.status.size)
        if isNew { reporter.statistics.countCreated(.regular) }
    }

    private func upload(_ file: LocalFile, key: String, isNew: Bool, bucket: String) async {
        let display = file.displayPath
        do {
            let fd = try file.open()
            defer { FileSystem.close(fd) }
            var put = transfer.put
            put.metadata += [("mtime", "\(file.status.mtime.seconds).\(file.status.mtime.nanoseconds)"),
                             ("mode", String(file.status.permissions, radix: 8))]
            if file.status.size >= transfer.multipartThreshold {
                _ = try await client.uploadMultipart(bucket: bucket, key: key, fd: fd, size: file.status.size, partSize: transfer.partSize,
                                                     concurrency: max(1, transfer.concurrency / 2), options: put, path: display)
            } else {
                let region = try MappedRegion(fd: fd, offset: 0, length: Int(file.status.size), path: display)
                try await client.put(bucket: bucket, key: key, region: region, options: put)
            }
            count(file, isNew: isNew)
            reporter.statistics.add(.literalData, file.status.size)
            reporter.fileDone(path: file.relativePath, size: file.status.size)
        } catch let error as FileSystemError where error.isVanished {
            reporter.vanished(display)
        } catch {
            reporter.error("\(error)")
        }
    }

    /// The ETag S3 would give this file when uploaded with this part size (`-c`).
    func localETag(_ file: LocalFile, partSize: Int64) -> String? {
        guard let fd = try? file.open() else { return nil }
        defer { FileSystem.close(fd) }
        guard let region = try? MappedRegion(fd: fd, offset: 0, length: Int(file.status.size), path: file.displayPath) else { return nil }
        return region.withBytes { bytes in
            guard Int64(bytes.count) >= transfer.multipartThreshold else { return S3ETag.single(S3ETag.md5(bytes)) }
            let part = Int(S3ETag.partSize(for: Int64(bytes.count), requested: partSize))
            return S3ETag.multipart(stride(from: 0, to: bytes.count, by: part).map {
                S3ETag.md5(UnsafeRawBufferPointer(rebasing: bytes[$0..<min(bytes.count, $0 + part)]))
            })
        }
    }

    /// `--delete`: objects under the prefix that the source does not have (and filters do not protect).
    func deleteExtraneous(_ keys: [String], prefix: String, bucket: String) async {
        var doomed: [String] = []
        for key in keys {
            let relative = Array(key.dropFirst(prefix.count).utf8)
            if !options.deleteExcluded && options.filters.excludesOnSender(relative, isDirectory: false) { continue }
            if options.filters.protectsOnReceiver(relative, isDirectory: false) { continue }
            if let max = options.maxDelete, doomed.count >= max {
                reporter.maxDeleteReached()
                break
            }
            doomed.append(key)
            reporter.deleted(path: relative, kind: .regular)
            reporter.statistics.countDeleted(.regular)
        }
        guard !options.dryRun, !doomed.isEmpty else { return }
        do {
            for (key, reason) in try await client.delete(bucket: bucket, keys: doomed) {
                reporter.error("delete of s3://\(bucket)/\(key) failed: \(reason)")
            }
        } catch {
            reporter.error("\(error)")
        }
    }
}
