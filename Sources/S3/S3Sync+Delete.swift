import AWSCore
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// `--delete`'s removals, and `-c`'s content comparison (ETags against locally computed ones).
extension S3Sync {
    /// Removes what the source lacks: objects in DeleteObjects batches of 1,000, local files
    /// and directories deepest first. `--max-delete` stops it (exit 25); `-n` only reports.
    func delete(_ entries: [FlatEntry], in side: Side) async {
        var doomed: [FlatEntry] = []
        // Reverse path order puts everything inside a directory before the directory itself.
        for entry in entries.reversed() {
            if let max = options.maxDelete, doomed.count >= max {
                reporter.maxDeleteReached()
                reporter.notice("Deletions stopped due to --max-delete limit (\(entries.count - doomed.count) skipped)")
                break
            }
            doomed.append(entry)
        }
        switch side {
        case .s3(let bucket, let prefix):
            for entry in doomed { reporter.deleted(path: entry.name, kind: entry.isDirectory ? .directory : .regular) }
            guard !options.dryRun else { return }
            do {
                for (key, reason) in try await client.delete(bucket: bucket, keys: doomed.map { prefix + $0.text }) {
                    reporter.error("delete of s3://\(bucket)/\(key) failed: \(reason)")
                }
            } catch {
                reporter.error("\(error)")
            }
        case .local(let tree):
            for entry in doomed {
                let display = tree.root + "/" + DisplayPath.escape(entry.name)
                if !options.dryRun {
                    do {
                        // From the parent's descriptor: a symlink swapped in above never takes the removal outside.
                        let (parent, name) = Self.splitPath(entry.name)
                        let directory = try tree.directory(parent, for: entry.name, operation: "deleting")
                        try FileSystem.remove(name, in: directory.descriptor, isDirectory: entry.isDirectory, path: display)
                    } catch let error as FileSystemError where error.errno == ENOTEMPTY || error.errno == EEXIST {
                        // Something inside is protected (excluded): the directory stays, as with rsync.
                        continue
                    } catch let error as FileSystemError where error.errno == ENOENT {
                        continue
                    } catch {
                        reporter.error("delete_file: \(error)")
                        continue
                    }
                }
                reporter.deleted(path: entry.name, kind: entry.isDirectory ? .directory : .regular)
            }
        }
    }

    /// `-c`: whether two same-sized files differ, by ETag (a local file's is computed the way
    /// S3 would have made it).
    func contentsDiffer(_ source: FlatEntry, _ destination: FlatEntry, roots: Roots) -> Bool {
        switch (roots.source, roots.destination) {
        case (.local(let tree), .s3):
            guard let etag = destination.etag else { return true }
            return !localFile(source, in: tree, hasETag: etag)
        case (.s3, .local(let tree)):
            guard let etag = source.etag else { return true }
            var renamed = destination
            renamed.path = roots.destinationPath(destination.path)
            return !localFile(renamed, in: tree, hasETag: etag, isDestination: true)
        case (.s3, .s3):
            return source.etag == nil || source.etag != destination.etag
        case (.local, .local):
            return true
        }
    }

    /// Whether the local file's bytes give `etag`: a plain MD5, or a multipart ETag for our
    /// part size or another common one with the same part count.
    func localFile(_ entry: FlatEntry, in tree: LocalTree, hasETag etag: String, isDestination: Bool = false) -> Bool {
        guard let fd = try? (isDestination ? tree.openInDestination(entry) : tree.open(entry)) else { return false }
        defer { FileSystem.close(fd) }
        guard let region = try? MappedRegion(fd: fd, offset: 0, length: Int(entry.size), path: tree.displayPath(entry)) else { return false }
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
