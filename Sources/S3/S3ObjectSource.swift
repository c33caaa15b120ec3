import AWSCore
import NIOCore
import SyncCore
import Synchronization
import SyncSystem

/// Where an object lies, for a server-side copy by a backend on the same endpoint.
public struct S3ObjectLocation: StoreLocation {
    /// The client that can reach it (same endpoint and credentials).
    let client: ObjectIdentifier
    let bucket: String
    let key: String
    let size: Int64
    let etag: String?
}

/// One object, open for reading: its bytes come by one GET, or by ranged GETs along its own
/// parts, several in flight; each piece is handed over at its offset (a retry sends a range
/// again from its start, which positional writes make harmless). The bytes are checked
/// against the size listed and the ETag where it is an MD5. The stored mode and mtime (our
/// `x-amz-meta-*`, or s3cmd's) arrive with the first answer and make the status final.
final class S3ObjectSource: FileSource, @unchecked Sendable {
    let client: S3Client
    let transfer: S3TransferOptions
    let bucket: String
    let key: String
    let etag: String?
    let lastModified: FileTime
    private let state: Mutex<FileStatus>

    init(client: S3Client, transfer: S3TransferOptions, bucket: String, key: String, size: Int64, etag: String?, lastModified: FileTime) {
        self.client = client
        self.transfer = transfer
        self.bucket = bucket
        self.key = key
        self.etag = etag
        self.lastModified = lastModified
        state = Mutex(S3Backend.fileStatus(size: size, lastModified: lastModified))
    }

    var status: FileStatus { state.withLock { $0 } }
    var displayPath: String { "s3://\(bucket)/\(key)" }
    var descriptor: Int32? { nil }

    var storeLocation: (any StoreLocation)? {
        S3ObjectLocation(client: ObjectIdentifier(client), bucket: bucket, key: key, size: status.size, etag: etag)
    }

    func transferred(_ count: Int) -> Bool { !CancellationFlag.isSet }

    /// The stored mode and mtime, learnt with a HEAD (for a copy that rewrites them).
    func loadMetadata() async throws {
        guard let (_, metadata) = try await client.head(bucket: bucket, key: key) else { throw SourceVanished(path: displayPath) }
        learn(metadata)
    }

    private func learn(_ metadata: [String: String]) {
        let stored = ObjectAttributes(metadata: metadata)
        state.withLock { status in
            status.mtime = stored.mtime ?? lastModified
            if let mode = stored.permissions { status.permissions = mode }
        }
    }

    func read(_ consume: @escaping @Sendable (Int64, UnsafeRawBufferPointer) throws -> Void) async throws {
        let write: @Sendable (Int64, ByteBuffer) throws -> Void = { offset, piece in
            try piece.withUnsafeReadableBytes { try consume(offset, $0) }
            try CancellationFlag.check()
        }
        do {
            learn(try await fetch(write: write))
        } catch let error as S3Error where error.isNotFound {
            throw SourceVanished(path: displayPath)
        }
    }

    private func failure(_ message: String) -> S3Error {
        S3Error(operation: "GetObject", bucket: bucket, key: key, status: nil, code: nil, message: message)
    }

    /// The bytes through `write`: one GET below the multipart threshold, else ranged GETs of
    /// the object's own part size in parallel, so the multipart ETag can be checked. Returns the
    /// user metadata.
    private func fetch(write: @escaping @Sendable (Int64, ByteBuffer) throws -> Void) async throws -> [String: String] {
        let size = status.size
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
        let client = self.client, bucket = self.bucket, key = self.key
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
}
