import SyncCore
import AWSCore
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SyncSystem

/// One object as listed: key, size, time, ETag (quoted), storage class.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var lastModified: Int64
    public var etag: String
    public var storageClass: String?
    /// From HEAD and GET answers only (listings do not carry it).
    public var contentType: String? = nil
}

/// What uploads carry besides the bytes (`--storage-class`, `--sse`, `--acl`, `--metadata`, and
/// the `x-amz-meta-*` values swiftsync keeps mtime and mode in).
public struct S3PutOptions: Sendable, Equatable {
    public var metadata: [(String, String)] = []
    public var storageClass: String?
    public var serverSideEncryption: String?
    public var kmsKeyID: String?
    public var acl: String?
    public var contentType: String?

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.metadata.elementsEqual(b.metadata, by: ==) && a.storageClass == b.storageClass && a.serverSideEncryption == b.serverSideEncryption
            && a.kmsKeyID == b.kmsKeyID && a.acl == b.acl && a.contentType == b.contentType
    }

    var headers: [(String, String)] {
        var h: [(String, String)] = metadata.map { ("x-amz-meta-\($0.0.lowercased())", $0.1) }
        if let storageClass { h.append(("x-amz-storage-class", storageClass)) }
        if let serverSideEncryption { h.append(("x-amz-server-side-encryption", serverSideEncryption)) }
        if let kmsKeyID { h.append(("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyID)) }
        if let acl { h.append(("x-amz-acl", acl)) }
        h.append(("content-type", contentType ?? "application/octet-stream"))
        return h
    }
}

extension S3Client {
    /// Every object under `prefix` in key order (ListObjectsV2, all pages). With `delimiter`,
    /// the common prefixes ("directories") too.
    public func list(bucket: String, prefix: String, delimiter: String? = nil) async throws -> (objects: [S3Object], prefixes: [String]) {
        var objects: [S3Object] = []
        var prefixes: [String] = []
        try await listPages(bucket: bucket, prefix: prefix, delimiter: delimiter) { page, common in
            objects += page
            prefixes += common
        }
        return (objects, prefixes)
    }

    /// Pages of a listing as they arrive (1,000 keys each), for callers that stream.
    public func listPages(bucket: String, prefix: String, delimiter: String? = nil,
                          _ body: ([S3Object], [String]) async throws -> Void) async throws {
        var token: String?
        repeat {
            let page = try await listPage(bucket: bucket, prefix: prefix, delimiter: delimiter, continuation: token)
            try await body(page.objects, page.prefixes)
            token = page.next
        } while token != nil
    }

    /// One page of ListObjectsV2: up to `maxKeys` keys under `prefix` in key order (after
    /// `startAfter`, or from where `continuation` left off), and the token of the next page.
    public func listPage(bucket: String, prefix: String, delimiter: String? = nil, continuation: String? = nil,
                         startAfter: String? = nil, maxKeys: Int? = nil) async throws -> (objects: [S3Object], prefixes: [String], next: String?) {
        // encoding-type=url: keys come percent-encoded, so any byte survives the XML.
        var query = [("list-type", "2"), ("prefix", prefix), ("encoding-type", "url")]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuation { query.append(("continuation-token", continuation)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await send(Call(operation: "ListObjectsV2", method: .GET, bucket: bucket, key: nil, query: query))
        let root = try parse(response.body, operation: "ListObjectsV2", bucket: bucket)
        let urlEncoded = root.text("EncodingType") == "url"
        func decode(_ text: String) -> String { urlEncoded ? (AWSURI.decode(text.replacingPlus()) ?? text) : text }
        let page = root.all("Contents").map { node in
            S3Object(key: decode(node.text("Key") ?? ""), size: Int64(node.text("Size") ?? "") ?? 0,
                     lastModified: AWSTime.parseISO8601(node.text("LastModified") ?? "") ?? 0,
                     etag: node.text("ETag") ?? "", storageClass: node.text("StorageClass"))
        }
        let common = root.all("CommonPrefixes").compactMap { $0.text("Prefix").map(decode) }
        let next = root.text("IsTruncated") == "true" ? root.text("NextContinuationToken") : nil
        return (page, common, next)
    }

    /// Whether any key starts with `prefix` (one ListObjectsV2 of at most one key).
    public func hasKeys(bucket: String, prefix: String) async throws -> Bool {
        let response = try await send(Call(operation: "ListObjectsV2", method: .GET, bucket: bucket, key: nil,
                                           query: [("list-type", "2"), ("prefix", prefix), ("max-keys", "1"), ("encoding-type", "url")]))
        return !(try parse(response.body, operation: "ListObjectsV2", bucket: bucket).all("Contents").isEmpty)
    }

    /// Size, time, ETag and user metadata of one object; nil when it does not exist. With
    /// `partNumber`, the size is that part's (how a multipart object's part size is learnt).
    public func head(bucket: String, key: String, partNumber: Int? = nil) async throws -> (object: S3Object, metadata: [String: String])? {
        let query = partNumber.map { [("partNumber", String($0))] } ?? []
        let response = try await send(Call(operation: "HeadObject", method: .HEAD, bucket: bucket, key: key, query: query, accepted: [404]))
        if response.status == 404 { return nil }
        return Self.describe(key: key, headers: response.headers)
    }

    /// The part size a multipart object was uploaded with (its first part's size), or nil for
    /// a single-part object.
    public func partSize(bucket: String, key: String, etag: String) async throws -> Int64? {
        guard let parts = S3ETag.partCount(etag), parts > 1 else { return nil }
        return try await head(bucket: bucket, key: key, partNumber: 1)?.object.size
    }

    /// PutObject of bytes in memory, with Content-MD5; returns the ETag.
    @discardableResult
    public func put(bucket: String, key: String, bytes: [UInt8], options: S3PutOptions = S3PutOptions()) async throws -> String {
        try await put(bucket: bucket, key: key, buffer: ByteBuffer(bytes: bytes), options: options)
    }

    /// PutObject of a mapped file region (sent in 256 KiB pieces copied from the mapping, no
    /// whole-file buffer), with Content-MD5; returns the ETag.
    @discardableResult
    public func put(bucket: String, key: String, region: MappedRegion, options: S3PutOptions = S3PutOptions(),
                    path: String = "") async throws -> String {
        try await put(Call(operation: "PutObject", method: .PUT, bucket: bucket, key: key, headers: options.headers),
                      region: region, crc32: false, path: path.isEmpty ? key : path).etag
    }

    /// `call` (a PutObject or an UploadPart) with a mapped region as its body, and its
    /// `x-amz-checksum-crc32` when `crc32` is set; returns the ETag and that checksum.
    ///
    /// A file that shrinks while mapped reads as zeros there, not SIGBUS: if that happened while
    /// the digests were taken nothing is sent; if it happens while sending, the body no longer
    /// matches its Content-MD5 and S3 refuses it. Either way the caller gets rsync's "read
    /// errors mapping" for `path`, and a multipart upload is aborted.
    func put(_ call: Call, region: MappedRegion, crc32: Bool, path: String) async throws -> CompletedPart {
        let digests = region.digests(sha256: signsPayload, crc32: crc32)
        try region.checkIntact(path: path)
        defer { withExtendedLifetime(region) {} }
        let checksum = digests.checksumCRC32
        var call = call
        if let checksum { call.headers.append(("x-amz-checksum-crc32", checksum)) }
        call.body = digests.body(length: region.count) { .stream(region.chunks(), length: .known(Int64(region.count))) }
        let response: Response
        do {
            response = try await send(call)
        } catch {
            try region.checkIntact(path: path)
            throw error
        }
        try region.checkIntact(path: path)
        return CompletedPart(etag: response.headers.first(name: "etag") ?? "", checksumCRC32: checksum)
    }

    /// PutObject of bytes in memory (a small file read whole), with Content-MD5; returns the
    /// ETag. A small file costs one read and one write: no mapping to set up and tear down, and
    /// no streamed body for AsyncHTTPClient to drive piece by piece.
    @discardableResult
    public func put(bucket: String, key: String, buffer: ByteBuffer, options: S3PutOptions = S3PutOptions()) async throws -> String {
        var digests = PayloadDigests(sha256: signsPayload)
        buffer.withUnsafeReadableBytes { digests.update($0) }
        let response = try await send(Call(operation: "PutObject", method: .PUT, bucket: bucket, key: key, headers: options.headers,
                                           body: digests.body(length: buffer.readableBytes) { .bytes(buffer) }))
        return response.headers.first(name: "etag") ?? ""
    }

    /// Whether object bodies are hashed for the signature: over plain HTTP, as the SDKs do.
    /// Over HTTPS they go as UNSIGNED-PAYLOAD, as botocore sends them: TLS and the signed
    /// Content-MD5 protect the bytes.
    var signsPayload: Bool { endpoint.scheme != "https" }

    /// The object and its user metadata (`x-amz-meta-*`, prefix dropped) from HEAD/GET headers.
    static func describe(key: String, headers h: HTTPHeaders) -> (object: S3Object, metadata: [String: String]) {
        var metadata: [String: String] = [:]
        for header in h where header.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(header.name.lowercased().dropFirst(11))] = header.value
        }
        let object = S3Object(key: key, size: Int64(h.first(name: "content-length") ?? "") ?? 0,
                              lastModified: h.first(name: "last-modified").flatMap(AWSTime.parseHTTPDate) ?? 0,
                              etag: h.first(name: "etag") ?? "", storageClass: h.first(name: "x-amz-storage-class"),
                              contentType: h.first(name: "content-type"))
        return (object, metadata)
    }

    /// DeleteObjects in batches of 1,000; returns the keys S3 refused, with its reasons.
    public func delete(bucket: String, keys: [String]) async throws -> [(key: String, error: String)] {
        var refused: [(String, String)] = []
        for start in stride(from: 0, to: keys.count, by: 1000) {
            let batch = keys[start..<min(keys.count, start + 1000)]
            var xml = "<Delete><Quiet>true</Quiet>"
            for key in batch { xml += "<Object><Key>\(XMLNode.escape(key))</Key></Object>" }
            xml += "</Delete>"
            let body = AWSRequest.Body.s3(Array(xml.utf8))
            let response = try await send(Call(operation: "DeleteObjects", method: .POST, bucket: bucket, key: nil,
                                               query: [("delete", "")], body: body))
            let root = try parse(response.body, operation: "DeleteObjects", bucket: bucket)
            for error in root.all("Error") {
                refused.append((error.text("Key") ?? "", "\(error.text("Code") ?? ""): \(error.text("Message") ?? "")"))
            }
        }
        return refused
    }

    /// CreateBucket (in the endpoint's region).
    public func createBucket(_ bucket: String) async throws {
        var call = Call(operation: "CreateBucket", method: .PUT, bucket: bucket, key: nil)
        if endpoint.region != "us-east-1" {
            let body = AWSRequest.Body.s3(Array(
                "<CreateBucketConfiguration><LocationConstraint>\(endpoint.region)</LocationConstraint></CreateBucketConfiguration>".utf8))
            call.body = body
        }
        _ = try await send(call)
    }

    func parse(_ body: [UInt8], operation: String, bucket: String) throws -> XMLNode {
        do {
            return try XMLNode.parse(body)
        } catch {
            throw S3Error(operation: operation, bucket: bucket, key: nil, status: nil, code: nil, message: "unreadable answer: \(error)")
        }
    }
}

extension String {
    /// `encoding-type=url` listings encode spaces as `+` (form encoding): decode those first.
    func replacingPlus() -> String { String(map { $0 == "+" ? " " : $0 }) }
}
