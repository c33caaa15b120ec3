import AWSCore
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Multipart uploads: create, parts (from mappings of the file, several in flight), complete —
/// and abort on any failure, so no orphaned parts are left to be billed.
extension S3Client {
    public struct UploadResult: Sendable, Equatable {
        public var etag: String
        public var parts: Int
    }

    /// What CompleteMultipartUpload names of each part: its ETag and, for an upload created
    /// with the CRC32 checksum, the part's CRC32 as sent.
    public struct CompletedPart: Sendable, Equatable {
        public var etag: String
        public var checksumCRC32: String?

        public init(etag: String, checksumCRC32: String? = nil) {
            self.etag = etag
            self.checksumCRC32 = checksumCRC32
        }
    }

    /// Uploads `size` bytes of `fd` to `key` as a multipart upload with parts of `partSize`
    /// (grown to stay ≤ 10,000 parts), `concurrency` parts in flight, each part with its CRC32
    /// for S3 to check unless `checksumCRC32` is off (see ``S3Checksum``); `beforePart` is told
    /// each part's size before it is sent, and stops the upload by throwing. Returns S3's ETag,
    /// which equals ``S3ETag/multipart(_:)`` of the parts' MD5s.
    public func uploadMultipart(bucket: String, key: String, fd: Int32, size: Int64, partSize requested: Int64,
                                concurrency: Int, options: S3PutOptions = S3PutOptions(), checksumCRC32: Bool = true, path: String,
                                beforePart: @escaping @Sendable (Int64) throws -> Void = { _ in }) async throws -> UploadResult {
        let partSize = S3ETag.partSize(for: size, requested: requested)
        let count = Int(max(1, (size + partSize - 1) / partSize))
        return try await multipartUpload(bucket: bucket, key: key, parts: count, concurrency: concurrency, options: options,
                                         checksumCRC32: checksumCRC32) { index, uploadID in
            let offset = Int64(index) * partSize
            let length = min(partSize, size - offset)
            // Paced and allowed to stop before its bytes go: a stop aborts the whole upload.
            try beforePart(length)
            let region = try MappedRegion(fd: fd, offset: offset, length: Int(length), path: path)
            let call = Call(operation: "UploadPart", method: .PUT, bucket: bucket, key: key,
                            query: [("partNumber", String(index + 1)), ("uploadId", uploadID)])
            return try await self.put(call, region: region, crc32: checksumCRC32, path: path)
        }
    }

    /// The frame of every multipart upload: create (with the CRC32 checksum if
    /// `checksumCRC32`), `parts` parts made by `part(index, uploadID)` with `concurrency` in
    /// flight, complete. On any failure, or when the run is interrupted (checked before each
    /// part: the task itself is never cancelled, so the abort request still goes out), the
    /// upload is aborted.
    func multipartUpload(bucket: String, key: String, parts count: Int, concurrency: Int, options: S3PutOptions,
                         checksumCRC32: Bool = false,
                         part: @escaping @Sendable (Int, String) async throws -> CompletedPart) async throws -> UploadResult {
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, options: options, checksumCRC32: checksumCRC32)
        do {
            var parts = [CompletedPart](repeating: CompletedPart(etag: ""), count: count)
            try await withThrowingTaskGroup(of: (Int, CompletedPart).self) { group in
                var next = 0
                func addPart() throws {
                    try CancellationFlag.check()
                    let index = next
                    next += 1
                    group.addTask { (index, try await part(index, uploadID)) }
                }
                while next < min(count, max(1, concurrency)) { try addPart() }
                while let (index, completed) = try await group.next() {
                    parts[index] = completed
                    if next < count { try addPart() }
                }
            }
            try CancellationFlag.check()
            let etag = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
            return UploadResult(etag: etag, parts: count)
        } catch {
            await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
    }

    /// CreateMultipartUpload; with `checksumCRC32`, every part must then carry its CRC32.
    public func createMultipartUpload(bucket: String, key: String, options: S3PutOptions, checksumCRC32: Bool = false) async throws -> String {
        let headers = options.headers + (checksumCRC32 ? [("x-amz-checksum-algorithm", "CRC32")] : [])
        let response = try await send(Call(operation: "CreateMultipartUpload", method: .POST, bucket: bucket, key: key,
                                           query: [("uploads", "")], headers: headers))
        guard let id = try parse(response.body, operation: "CreateMultipartUpload", bucket: bucket).text("UploadId"), !id.isEmpty else {
            throw S3Error(operation: "CreateMultipartUpload", bucket: bucket, key: key, status: response.status, code: nil, message: "no UploadId in the answer")
        }
        return id
    }

    public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [CompletedPart]) async throws -> String {
        let body = AWSRequest.Body.s3(Array(Self.completionDocument(parts).utf8))
        let response = try await send(Call(operation: "CompleteMultipartUpload", method: .POST, bucket: bucket, key: key,
                                           query: [("uploadId", uploadID)], body: body))
        // S3 may answer 200 with an <Error> document when completion fails late.
        let root = try parse(response.body, operation: "CompleteMultipartUpload", bucket: bucket)
        if root.name == "Error" {
            throw S3Error(operation: "CompleteMultipartUpload", bucket: bucket, key: key, status: response.status,
                          code: root.text("Code"), message: root.text("Message") ?? "")
        }
        return root.text("ETag") ?? ""
    }

    /// CompleteMultipartUpload's body: the parts in order, numbered from 1.
    static func completionDocument(_ parts: [CompletedPart]) -> String {
        var xml = "<CompleteMultipartUpload>"
        for (i, part) in parts.enumerated() {
            xml += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\(XMLNode.escape(part.etag))</ETag>"
            if let crc = part.checksumCRC32 { xml += "<ChecksumCRC32>\(crc)</ChecksumCRC32>" }
            xml += "</Part>"
        }
        return xml + "</CompleteMultipartUpload>"
    }

    /// Best effort: a failure here is logged, not thrown (the upload's own error matters more).
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async {
        do {
            _ = try await send(Call(operation: "AbortMultipartUpload", method: .DELETE, bucket: bucket, key: key,
                                    query: [("uploadId", uploadID)], accepted: [404]))
        } catch {
            logger.warning("could not abort multipart upload", metadata: ["key": "\(key)", "error": "\(error)"])
        }
    }
}
