import AWSCore

/// Server-side copies: the bytes never leave S3. CopyObject up to 5 GiB; above that (or above
/// the threshold asked for) a multipart upload whose parts are UploadPartCopy ranges of the
/// source, aborted on any failure like every multipart upload.
extension S3Client {
    /// The largest object one CopyObject may copy.
    public static let maximumCopyObjectSize: Int64 = 5 << 30

    /// How a copy treats the source's metadata.
    public enum MetadataDirective: Sendable, Equatable {
        /// Keep the source's user metadata and content type.
        case copy
        /// Use `options.metadata` (and content type) instead.
        case replace
    }

    /// `x-amz-copy-source`: the source bucket and percent-encoded key.
    static func copySource(bucket: String, key: String) -> String {
        "/\(bucket)/\(AWSURI.encode(key, keepSlash: true))"
    }

    /// CopyObject; returns the new object's ETag.
    @discardableResult
    public func copyObject(from sourceBucket: String, key sourceKey: String, to bucket: String, key: String,
                           directive: MetadataDirective = .copy, options: S3PutOptions = S3PutOptions()) async throws -> String {
        var headers = [("x-amz-copy-source", Self.copySource(bucket: sourceBucket, key: sourceKey)),
                       ("x-amz-metadata-directive", directive == .copy ? "COPY" : "REPLACE")]
        headers += directive == .copy ? options.headersKeepingMetadata : options.headers
        let response = try await send(Call(operation: "CopyObject", method: .PUT, bucket: bucket, key: key, headers: headers))
        // CopyObject may answer 200 and still fail: the error is in the body.
        let root = try parse(response.body, operation: "CopyObject", bucket: bucket)
        if root.name == "Error" {
            throw S3Error(operation: "CopyObject", bucket: bucket, key: key, status: response.status, code: root.text("Code"),
                          message: root.text("Message") ?? "")
        }
        return root.text("ETag") ?? ""
    }

    /// Copies `size` bytes of the source object as a multipart upload of UploadPartCopy parts
    /// of `partSize` (grown to stay ≤ 10,000 parts), `concurrency` in flight. With the source's
    /// own part size, the copy has the source's ETag. The new object
    /// gets `options` (its metadata included: a multipart copy does not carry the source's).
    public func copyMultipart(from sourceBucket: String, key sourceKey: String, size: Int64, to bucket: String, key: String,
                              partSize requested: Int64, concurrency: Int, options: S3PutOptions) async throws -> UploadResult {
        let partSize = S3ETag.partSize(for: size, requested: requested)
        let count = Int(max(1, (size + partSize - 1) / partSize))
        let source = Self.copySource(bucket: sourceBucket, key: sourceKey)
        return try await multipartUpload(bucket: bucket, key: key, parts: count, concurrency: concurrency, options: options) { index, uploadID in
            let first = Int64(index) * partSize
            let last = min(size, first + partSize) - 1
            let response = try await self.send(Call(
                operation: "UploadPartCopy", method: .PUT, bucket: bucket, key: key,
                query: [("partNumber", String(index + 1)), ("uploadId", uploadID)],
                headers: [("x-amz-copy-source", source), ("x-amz-copy-source-range", "bytes=\(first)-\(last)")]))
            let root = try self.parse(response.body, operation: "UploadPartCopy", bucket: bucket)
            guard root.name != "Error", let etag = root.text("ETag") else {
                throw S3Error(operation: "UploadPartCopy", bucket: bucket, key: key, status: response.status, code: root.text("Code"),
                              message: root.text("Message") ?? "no ETag in the answer")
            }
            return CompletedPart(etag: etag)
        }
    }
}

extension S3Client {
    /// Gives the destination object the source object's ACL (boto-rsync's `-p`).
    public func copyACL(from sourceBucket: String, key sourceKey: String, to bucket: String, key: String) async throws {
        let policy = try await send(Call(operation: "GetObjectAcl", method: .GET, bucket: sourceBucket, key: sourceKey, query: [("acl", "")]))
        let body = AWSRequest.Body.s3(policy.body)
        _ = try await send(Call(operation: "PutObjectAcl", method: .PUT, bucket: bucket, key: key, query: [("acl", "")], body: body))
    }
}

extension S3PutOptions {
    /// The headers of a copy that keeps the source's metadata: everything but `x-amz-meta-*`
    /// and the content type, which COPY takes from the source.
    var headersKeepingMetadata: [(String, String)] {
        headers.filter { !$0.0.hasPrefix("x-amz-meta-") && $0.0 != "content-type" }
    }
}
