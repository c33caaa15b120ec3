import AWSCore
import SyncCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// A sync with S3 on one side or both: local → S3, S3 → local, S3 → S3. One pipeline for all
/// three: both sides listed as flat trees, merged in lock step by ``FlatTreePlanner``, then the
/// transfers run (at most `--s3-concurrency` requests in flight), then `--delete`'s removals.
/// Output, statistics and exit codes are the local sync's (``SyncReporter``).
public struct S3Sync: Sendable {
    let client: S3Client
    let options: SyncOptions
    let transfer: S3TransferOptions
    let reporter: SyncReporter
    let progress: TransferProgress
    /// The process's umask, read once (files made without `-p` get 0666 minus it, as rsync's do).
    let umask: UInt32

    public init(client: S3Client, options: SyncOptions, transfer: S3TransferOptions, reporter: SyncReporter) {
        self.client = client
        self.options = options
        self.transfer = transfer
        self.reporter = reporter
        progress = TransferProgress(statistics: reporter.statistics)
        let mask = FileSystem.setUmask(0o022)
        _ = FileSystem.setUmask(mask)
        umask = mask
    }

    /// One side of the sync.
    enum Side: Sendable {
        case local(LocalTree)
        /// Keys are `prefix + path`.
        case s3(bucket: String, prefix: String)

        var url: String {
            switch self {
            case .local(let tree): tree.root
            case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
            }
        }
    }

    /// What is synced to what. A single file may change its name on the way
    /// (`file` → `s3://b/other`): its entry carries the source name, `renamed` the other.
    struct Roots: Sendable {
        var source: Side
        var destination: Side
        /// A single file's name on each side (the source's, then the destination's).
        var single: (source: [UInt8], destination: [UInt8])?
        /// How many trailing components of a local destination root may be made without
        /// `--mkpath`: DEST itself, and the directory a source without a slash brings along.
        var creatableLevels = 1

        func destinationPath(_ path: [UInt8]) -> [UInt8] {
            if let single, path == single.source { return single.destination }
            return path
        }
    }

    /// Runs the sync of `source` into `destination` (each a local path or `s3://` URL);
    /// returns rsync's exit code.
    public func run(source: String, destination: String, progressBar: ProgressReporter? = nil) async -> ExitCode {
        let executor = BlockingExecutor(threadCount: 4)
        defer { executor.shutdown() }
        // File I/O and hashing run on threads of our own, never on Swift's cooperative pool;
        // network I/O runs on NIO's event loops.
        return await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: ExitCode?.self) { group in
                if let progressBar { group.addTask { await progressBar.run(source: progress); return nil } }
                group.addTask {
                    let code = await runResolved(source: source, destination: destination)
                    progressBar?.stop()
                    return code
                }
                var result = ExitCode.success
                for await code in group { if let code { result = code } }
                return result
            }
        }
    }

    private func runResolved(source: String, destination: String) async -> ExitCode {
        let roots: Roots
        do {
            roots = try await resolve(source: source, destination: destination)
        } catch let error as S3Error {
            reporter.error("\(error)")
            return error.status == nil ? .socketIO : .partialTransfer
        } catch {
            reporter.error("\(error)")
            return .partialTransfer
        }
        let direction: FlatTreePlanner.Direction
        switch (roots.source, roots.destination) {
        case (.local, .s3): direction = .upload
        case (.s3, .local): direction = .download
        case (.s3, .s3): direction = .copy
        case (.local, .local): return .usage
        }
        // Both sides are listed at once (a local walk while S3 pages arrive); the source's
        // failure is reported first, and either one leaves the destination alone.
        async let destinationListing = catching {
            try await list(roots.destination, role: .destination, single: roots.single.map { $0.destination }, roots: roots)
        }
        let sourceEntries: [FlatEntry]
        do {
            sourceEntries = try await list(roots.source, role: .source, single: roots.single?.source, roots: roots)
        } catch {
            _ = await destinationListing
            reporter.error("\(error)")
            // A source that does not answer is a socket error; one that is missing or refused, rsync's 23.
            if let s3 = error as? S3Error, s3.status == nil { return .socketIO }
            return .partialTransfer
        }
        let destinationEntries: [FlatEntry]
        switch await destinationListing {
        case .success(let entries):
            destinationEntries = entries.map { entry in
                // A renamed single file is compared under its source name.
                guard let single = roots.single, entry.path == single.destination else { return entry }
                var renamed = entry
                renamed.path = single.source
                return renamed
            }
        case .failure(let error):
            reporter.error("\(error)")
            // No answer at all is a socket error (rsync's 10); an answer refusing the listing
            // (no such bucket, access denied) is like an unusable destination directory (11).
            return (error as? S3Error).map { $0.status == nil ? .socketIO : .fileIO } ?? .fileIO
        }
        for entry in sourceEntries {
            reporter.statistics.countSource(entry.isDirectory ? .directory : .regular)
            if entry.kind == .file { reporter.statistics.add(.totalFileSize, entry.size) }
        }
        let planner = FlatTreePlanner(direction: direction, options: options,
                                      directoryKeys: direction != .download && transfer.boto?.directoryKeys == true,
                                      reportsSkips: reporter.options.verbose > 1)
        let actions = planner.plan(source: sourceEntries, destination: destinationEntries) { source, destination in
            contentsDiffer(source, destination, roots: roots)
        }
        if case .local(let tree) = roots.destination, !prepareLocalRoot(tree, levels: roots.creatableLevels) { return reporter.exitCode }
        await perform(actions, roots: roots)
        if CancellationFlag.isSet { reporter.interrupted() }
        return reporter.exitCode
    }

    /// The transfers and directories, then the deletions (after: nothing is removed before
    /// what replaces it is safely there, and nothing at all when something failed).
    private func perform(_ actions: [FlatTreePlanner.Action], roots: Roots) async {
        var deletions: [FlatEntry] = []
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for action in actions {
                if CancellationFlag.isSet { break }
                switch action {
                case .delete(let entry):
                    deletions.append(entry)
                    continue
                case .skip(let entry, let reason):
                    reportSkip(roots.destinationPath(entry.name), reason: reason)
                    continue
                case .conflict(let entry, let conflict):
                    reportConflict(entry.name, conflict, roots: roots)
                    continue
                case .makeDirectory(let entry):
                    // Directories are made in path order, before anything inside them.
                    await makeDirectory(entry, roots: roots)
                    continue
                case .transfer(let source, let destination, let change):
                    reporter.changed(change, path: roots.destinationPath(source.name))
                    if options.dryRun {
                        count(source, change: change)
                        continue
                    }
                    if running >= max(1, transfer.concurrency) {
                        await group.next()
                        running -= 1
                    }
                    running += 1
                    group.addTask { await self.transfer(source, replacing: destination, change: change, roots: roots) }
                }
            }
        }
        guard !deletions.isEmpty, !CancellationFlag.isSet else { return }
        if reporter.exitCode != .success && !options.dryRun {
            reporter.error("IO error encountered -- skipping file deletion in \(roots.destination.url)")
            return
        }
        await delete(deletions, in: roots.destination)
    }

    /// One file across; its statistics and progress line when done, its error when not.
    private func transfer(_ source: FlatEntry, replacing destination: FlatEntry?, change: ItemizedChange, roots: Roots) async {
        do {
            switch (roots.source, roots.destination) {
            case (.local(let tree), .s3(let bucket, let prefix)):
                try await upload(source, from: tree, to: bucket, key: prefix + text(roots.destinationPath(source.path)))
            case (.s3(let bucket, let prefix), .local(let tree)):
                try await download(bucket: bucket, key: prefix + source.text, size: source.size, etag: source.etag,
                                   lastModified: source.mtime, to: tree, path: roots.destinationPath(source.path),
                                   replacing: destination)
            case (.s3(let sourceBucket, let sourcePrefix), .s3(let bucket, let prefix)):
                try await copy(from: sourceBucket, key: sourcePrefix + source.text, size: source.size, etag: source.etag,
                               to: bucket, key: prefix + text(roots.destinationPath(source.path)))
            case (.local, .local):
                return
            }
            count(source, change: change)
            reporter.statistics.add(.literalData, source.size)
            if case .local = roots.destination { reporter.statistics.add(.receivedData, source.size) }
            reporter.fileDone(path: roots.destinationPath(source.name), size: source.size)
        } catch let error as FileSystemError where error.isVanished {
            reporter.vanished(error.path)
        } catch is SyncInterrupted {
            reporter.interrupted()
        } catch {
            reporter.error("\(error)")
        }
    }

    /// rsync's `-vv` line, or boto-rsync's `-v` one.
    func reportSkip(_ path: [UInt8], reason: FlatTreePlanner.SkipReason) {
        let name = DisplayPath.escape(path)
        if transfer.boto != nil {
            reporter.verbose("Skipping \(name) (\(reason == .upToDate ? "size matches" : "not overwriting"))")
        } else {
            reporter.verbose(reason == .upToDate ? "\(name) is uptodate" : "\(name) exists")
        }
    }

    /// One line naming the key and what stands there on each side.
    func reportConflict(_ name: [UInt8], _ conflict: FlatTreePlanner.Conflict, roots: Roots) {
        let s3 = roots.source.isLocal ? roots.destination : roots.source
        let local = roots.source.isLocal ? roots.source : roots.destination
        let key = s3.url + text(name)
        let path = local.url + (local.url.hasSuffix("/") ? "" : "/") + DisplayPath.escape(name)
        let what: String
        switch conflict {
        case .objectAndPrefix: what = "S3 holds both an object and keys below it (\(text(name))/...), which one local path cannot be"
        case .directoryAndObject: what = "an object in S3, a directory \"\(path)\" here"
        case .fileAndPrefix: what = "keys below it in S3 (\(text(name))/...), a file \"\(path)\" here"
        }
        reporter.error("name conflict at \(key): \(what); both left as they are")
    }

    private func count(_ source: FlatEntry, change: ItemizedChange) {
        reporter.statistics.add(.regularTransferred)
        reporter.statistics.add(.transferredSize, source.size)
        if change.isNew { reporter.statistics.countCreated(.regular) }
    }

    func text(_ path: [UInt8]) -> String { String(decoding: path, as: UTF8.self) }
}

/// The outcome of `body` as a value, for `async let`s whose errors are handled later.
func catching<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// Bytes moved so far, for `--info=progress2`.
final class TransferProgress: ProgressSource {
    let statistics: SyncStatistics
    private let bytes = Atomic<Int64>(0)
    private let started = SystemClock.monotonicSeconds()

    init(statistics: SyncStatistics) { self.statistics = statistics }

    func add(_ count: Int64) { bytes.add(count, ordering: .relaxed) }
    var bytesTransferred: Int64 { bytes.load(ordering: .relaxed) }
    var elapsed: Double { SystemClock.monotonicSeconds() - started }
}
