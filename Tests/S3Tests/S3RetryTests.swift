import Foundation
import XCTest
@testable import AWSCore
@testable import S3

/// Through a proxy that answers 503 SlowDown / 500 and drops or cuts connections, every
/// operation still completes with the right objects; with retries exhausted, a typed error.
final class S3RetryTests: XCTestCase {
    func testFaultsAreRetriedAndTheObjectsAreRight() async throws {
        let moto = try MotoServer()
        let proxy = try FaultProxy(upstream: moto, plan: "503,drop,500,cut,ok,503,ok,drop,ok,500,ok,503,ok,cut")
        let s3 = try proxy.client(retries: 6)
        try await s3.createBucket("faulty")
        for i in 0..<4 { try await s3.put(bucket: "faulty", key: "obj \(i)", bytes: Array("payload \(i)".utf8)) }
        let size = 11 << 20
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 12) }
        let file = TemporaryFile(Data(bytes))
        let result = try await s3.uploadMultipart(bucket: "faulty", key: "big", fd: file.fd, size: Int64(size), partSize: 5 << 20,
                                                  concurrency: 2, path: file.path)
        XCTAssertEqual(result.parts, 3)
        let listed = try await s3.list(bucket: "faulty", prefix: "")
        XCTAssertEqual(listed.objects.map(\.key), ["big", "obj 0", "obj 1", "obj 2", "obj 3"])
        await s3.shutdown()
        let log = proxy.log()
        for fault in ["503", "500", "drop", "cut"] { XCTAssertTrue(log.contains { $0.hasSuffix(" \(fault)") }, "\(fault) was injected: \(log)") }
        // The oracle reads straight from moto: the bytes are right.
        let out = NSTemporaryDirectory() + "retry-out-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        try moto.aws(["s3api", "get-object", "--bucket", "faulty", "--key", "big", out])
        XCTAssertTrue(FileManager.default.contents(atPath: out) == Data(bytes))
        let uploads = try moto.awsJSON(["s3api", "list-multipart-uploads", "--bucket", "faulty"])
        XCTAssertTrue((uploads["Uploads"] as? [Any] ?? []).isEmpty)
    }

    func testExhaustedRetriesGiveTheLastErrorAndAbortTheUpload() async throws {
        let moto = try MotoServer()
        let direct = try moto.client()
        try await direct.createBucket("gives-up")
        // Every request after creating the upload fails: the part upload gives up, the upload is aborted.
        let proxy = try FaultProxy(upstream: moto, plan: "ok," + Array(repeating: "503", count: 3).joined(separator: ",") + ",ok")
        let s3 = try proxy.client(retries: 2)
        let size = 6 << 20
        let file = TemporaryFile(Data(count: size))
        do {
            _ = try await s3.uploadMultipart(bucket: "gives-up", key: "never", fd: file.fd, size: Int64(size), partSize: 5 << 20,
                                             concurrency: 1, path: file.path)
            XCTFail("three 503s with two retries must fail")
        } catch let error as S3Error {
            XCTAssertEqual(error.code, "SlowDown")
            XCTAssertEqual(error.status, 503)
            XCTAssertEqual(error.operation, "UploadPart")
        }
        await s3.shutdown()
        let uploads = try moto.awsJSON(["s3api", "list-multipart-uploads", "--bucket", "gives-up"])
        XCTAssertTrue((uploads["Uploads"] as? [Any] ?? []).isEmpty, "aborted: \(uploads)")
        await direct.shutdown()
    }

    /// A failure of the local side while a download streams in (a full disk, an interruption)
    /// is not the network's: it ends the GET at once, as itself, with no retry.
    func testALocalWriteErrorIsNotRetried() async throws {
        let moto = try MotoServer()
        let direct = try moto.client()
        try await direct.createBucket("local-fail")
        try await direct.put(bucket: "local-fail", key: "k", bytes: Array(repeating: 7, count: 100_000))
        await direct.shutdown()
        let proxy = try FaultProxy(upstream: moto, plan: "")
        let s3 = try proxy.client(retries: 5)
        struct DiskFull: Error {}
        do {
            _ = try await s3.get(bucket: "local-fail", key: "k") { _, _ in throw DiskFull() }
            XCTFail("the write error must end the download")
        } catch is DiskFull {
        }
        await s3.shutdown()
        XCTAssertEqual(proxy.log().filter { $0.contains(" GET ") }.count, 1, "one GET, no retries")
    }
}
