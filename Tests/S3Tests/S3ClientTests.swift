import Foundation
import XCTest
@testable import AWSCore
@testable import S3

/// The S3 client against moto_server, with the aws CLI as the oracle.
final class S3ClientTests: XCTestCase {
    private let oddKeys = ["plain.txt", "with space.txt", "plus+sign", "tilde~", "ünïcödé/文件.bin", "percent%20literal",
                           "dir/sub dir/a&b=c?.txt", "quote\"'", "*star[]", "semi;colon,comma"]

    func testPutListGetRoundTripOddKeysAndTheCLISeesTheSame() async throws {
        let moto = try MotoServer()
        let s3 = try moto.client()
        try await s3.createBucket("bucket")
        for (i, key) in oddKeys.enumerated() {
            var options = S3PutOptions()
            options.metadata = [("mtime", "170000000\(i)"), ("mode", "644")]
            try await s3.put(bucket: "bucket", key: "p/" + key, bytes: Array("body \(i)".utf8), options: options)
        }
        let (objects, _) = try await s3.list(bucket: "bucket", prefix: "p/")
        XCTAssertEqual(Set(objects.map(\.key)), Set(oddKeys.map { "p/" + $0 }))
        XCTAssertEqual(objects.map(\.key), objects.map(\.key).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) },
                       "listed in UTF-8 byte order")
        let listed = try moto.awsJSON(["s3api", "list-objects-v2", "--bucket", "bucket", "--prefix", "p/"])
        let theirs = (listed["Contents"] as? [[String: Any]] ?? []).compactMap { $0["Key"] as? String }
        XCTAssertEqual(Set(theirs), Set(objects.map(\.key)), "the aws CLI lists the same keys")
        for (i, key) in oddKeys.enumerated() {
            var bytes: [UInt8] = []
            let (_, metadata) = try await s3.get(bucket: "bucket", key: "p/" + key) { bytes += $0.readableBytesView }
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "body \(i)", key)
            XCTAssertEqual(metadata["mtime"], "170000000\(i)")
        }
        let head = try await s3.head(bucket: "bucket", key: "p/with space.txt")
        XCTAssertEqual(head?.object.size, 6)
        XCTAssertEqual(head?.object.etag, S3ETag.single(S3ETag.md5(Array("body 1".utf8))))
        let missingHead = try await s3.head(bucket: "bucket", key: "p/missing")
        XCTAssertNil(missingHead)
        do {
            _ = try await s3.get(bucket: "bucket", key: "p/missing") { _ in }
            XCTFail("a missing object is an error")
        } catch let error as S3Error {
            XCTAssertTrue(error.isNotFound, "\(error)")
            XCTAssertTrue("\(error)".contains("s3://bucket/p/missing"))
        }
        await s3.shutdown()
    }

    func testMultipartETagEqualsTheLocalOneAndNothingIsLeftOver() async throws {
        let moto = try MotoServer()
        let s3 = try moto.client()
        try await s3.createBucket("multipart")
        let size = (17 << 20) + 12_345
        var bytes = [UInt8](repeating: 0, count: size)
        for i in stride(from: 0, to: size, by: 4096) { bytes[i] = UInt8(truncatingIfNeeded: i / 4096 &* 31) }
        let file = TemporaryFile(Data(bytes))
        let result = try await s3.uploadMultipart(bucket: "multipart", key: "big file.bin", fd: file.fd, size: Int64(size), partSize: 5 << 20,
                                                  concurrency: 3, path: file.path)
        XCTAssertEqual(result.parts, 4)
        let local = S3ETag.multipart(stride(from: 0, to: size, by: 5 << 20).map { S3ETag.md5(Array(bytes[$0..<min(size, $0 + (5 << 20))])) })
        XCTAssertEqual(result.etag, local)
        let head = try moto.awsJSON(["s3api", "head-object", "--bucket", "multipart", "--key", "big file.bin"])
        XCTAssertEqual(head["ETag"] as? String, local, "the aws CLI sees the same ETag")
        XCTAssertEqual(head["ContentLength"] as? Int, size)
        // GetObject, not HeadObject: moto's HEAD leaves the "-N" off a COMPOSITE checksum.
        let checked = try moto.awsJSON(["s3api", "get-object", "--checksum-mode", "ENABLED", "--bucket", "multipart", "--key", "big file.bin",
                                        "/dev/null"])
        let crcs = stride(from: 0, to: size, by: 5 << 20).map { S3Checksum.crc32(Array(bytes[$0..<min(size, $0 + (5 << 20))])) }
        XCTAssertEqual(checked["ChecksumCRC32"] as? String, S3Checksum.compositeCRC32(crcs), "S3 kept the parts' CRC32s")
        var downloaded: [UInt8] = []
        _ = try await s3.get(bucket: "multipart", key: "big file.bin") { downloaded += $0.readableBytesView }
        XCTAssertTrue(downloaded == bytes, "the object reads back byte for byte")
        // A completion that fails is aborted: no upload is left behind.
        let id = try await s3.createMultipartUpload(bucket: "multipart", key: "broken", options: S3PutOptions())
        do {
            _ = try await s3.completeMultipartUpload(bucket: "multipart", key: "broken", uploadID: id,
                                                  parts: [S3Client.CompletedPart(etag: "\"00000000000000000000000000000000\"")])
            XCTFail("completing with a part that was never uploaded fails")
        } catch let error as S3Error {
            XCTAssertNotNil(error.status)
        }
        await s3.abortMultipartUpload(bucket: "multipart", key: "broken", uploadID: id)
        let uploads = try moto.awsJSON(["s3api", "list-multipart-uploads", "--bucket", "multipart"])
        XCTAssertTrue((uploads["Uploads"] as? [Any] ?? []).isEmpty, "\(uploads)")
        await s3.shutdown()
    }

    func testDeletesGoInBatchesOfAThousand() async throws {
        let moto = try MotoServer()
        let s3 = try moto.client()
        try await s3.createBucket("many")
        let keys = (0..<1_203).map { "k/\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in stride(from: 0, to: keys.count, by: 100) {
                group.addTask {
                    for key in keys[chunk..<min(keys.count, chunk + 100)] { try await s3.put(bucket: "many", key: key, bytes: [1]) }
                }
            }
            try await group.waitForAll()
        }
        let listed = try await s3.list(bucket: "many", prefix: "k/")
        XCTAssertEqual(listed.objects.count, keys.count, "listing follows continuation tokens past 1,000")
        let refused = try await s3.delete(bucket: "many", keys: keys)
        XCTAssertTrue(refused.isEmpty)
        let after = try await s3.list(bucket: "many", prefix: "k/")
        XCTAssertEqual(after.objects.count, 0)
        await s3.shutdown()
    }

    func testDirectoriesViaDelimiterAndAMissingBucketIsATypedError() async throws {
        let moto = try MotoServer()
        let s3 = try moto.client(retries: 0)
        try await s3.createBucket("tree")
        for key in ["a/1", "a/b/2", "c"] { try await s3.put(bucket: "tree", key: key, bytes: []) }
        let (objects, prefixes) = try await s3.list(bucket: "tree", prefix: "", delimiter: "/")
        XCTAssertEqual(objects.map(\.key), ["c"])
        XCTAssertEqual(prefixes, ["a/"])
        do {
            _ = try await s3.list(bucket: "nosuchbucket", prefix: "")
            XCTFail("listing a missing bucket fails")
        } catch let error as S3Error {
            XCTAssertEqual(error.code, "NoSuchBucket")
            XCTAssertEqual(error.status, 404)
        }
        await s3.shutdown()
    }
}
