import AWSCore
import SyncCore
import SyncSystem

/// A sync with S3 on one side or both (local → S3, S3 → local, S3 → S3), run by the one
/// engine (``SyncEngine``) over an ``S3Backend`` and a ``LocalBackend``: the same walk, merge,
/// quick check, filters, deletions and report as a local sync. What is S3's own is set up here:
/// the backends, the request concurrency, boto-rsync's conventions, and a first look at each
/// bucket so that one that does not answer, or refuses, stops the run before anything moves.
public struct S3Sync: Sendable {
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

    /// Runs the sync of `source` into `destination` (each a local path or `s3://` URL);
    /// returns rsync's exit code.
    public func run(source: String, destination: String, progressBar: ProgressReporter? = nil) async -> ExitCode {
        var options = self.options
        var source = source
        let destination = Self.normalized(destination)
        do {
            source = try await prepareBotoSource(Self.normalized(source), options: &options)
        } catch {
            reporter.error("\(error)")
            return .partialTransfer
        }
        // Requests, not walkers, are what an S3 sync waits on: as many transfers as requests.
        options.jobs = max(1, transfer.concurrency)
        let reporter = self.reporter
        let refuse: @Sendable (String) -> Void = { key in
            reporter.error("skipping \(key): the key cannot be a local path (empty, . or .. in it)")
        }
        // One backend per side, so that an S3 → S3 sync reads each side's listing once; they
        // share the client, so a copy between them stays on the server.
        func backend(for path: String) -> S3Backend? {
            guard path.hasPrefix("s3://") else { return nil }
            return S3Backend(client: client, transfer: transfer, rewritesModes: options.chmod != nil,
                             refusingUnsafeKeys: destination.hasPrefix("s3://") ? nil : refuse)
        }
        let sourceS3 = backend(for: source), destinationS3 = backend(for: destination)
        let engine = SyncEngine(options: options, reporter: reporter,
                                source: sourceS3.map { $0 as any Backend } ?? LocalBackend(),
                                destination: destinationS3.map { $0 as any Backend } ?? LocalBackend())
        // Each side's bucket answers before anything is touched (and after the options are
        // accepted, so a refused option costs no request): a source that does not is rsync's
        // 23 (10 with no answer at all), a destination's 11 (10).
        return await engine.run(sources: [source], destination: destination, progress: progressBar) {
            for (backend, path, isSource) in [(sourceS3, source, true), (destinationS3, destination, false)] {
                guard let backend else { continue }
                do {
                    try await backend.prime(path)
                } catch let error as S3Error {
                    reporter.error("\(error)")
                    return error.status == nil ? .socketIO : (isSource ? .partialTransfer : .fileIO)
                } catch {
                    reporter.error("\(error)")
                    return isSource ? .partialTransfer : .fileIO
                }
            }
            return nil
        }
    }

    /// `s3://bucket` is the whole bucket: `s3://bucket/`.
    static func normalized(_ path: String) -> String {
        guard let url = S3URL(path), url.key.isEmpty, !path.hasSuffix("/") else { return path }
        return path + "/"
    }

    /// boto-rsync's source: a directory always means its contents, and `--glob` makes the
    /// last part of the path a pattern of the names to send (filters on the directory above).
    private func prepareBotoSource(_ path: String, options: inout SyncOptions) async throws -> String {
        guard let boto = transfer.boto else { return path }
        var path = path
        if let glob = boto.glob, !glob.isEmpty {
            let kept = Array(path.utf8.dropLast(glob.count))
            path = kept.isEmpty ? "./" : String(decoding: kept, as: UTF8.self)
            var filters = FilterList()
            // Only the files at the top that match: no directory, nothing else.
            for rule in ["- */", "+ /" + String(decoding: glob, as: UTF8.self), "- *"] {
                try FilterParser.add(rule, as: .filter, deleteExcluded: false, to: &filters)
            }
            filters.minimumSize = options.filters.minimumSize
            options.filters = filters
        }
        // --ignore-empty: 0-byte files are not sent.
        if boto.ignoreEmpty { options.filters.minimumSize = max(1, options.filters.minimumSize ?? 1) }
        guard boto.sourceIsContents, !path.hasSuffix("/") else { return path }
        if let url = S3URL(path) {
            // An object of that name is one file; else the prefix is a directory.
            return try await client.head(bucket: url.bucket, key: url.key) == nil ? path + "/" : path
        }
        let status = try? FileSystem.status(Array(path.utf8), in: FileSystem.currentDirectory, path: path)
        return status?.kind == .directory ? path + "/" : path
    }
}
