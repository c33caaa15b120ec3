import BackendConformance
import Foundation
import SyncCore
import SyncSystem
import XCTest
@testable import S3

/// The shared backend suite (Tests/BackendConformance) run against ``S3Backend`` on a
/// moto_server: the same checks LocalBackend and the dry run pass (issue 14). Each check gets a
/// prefix of its own in one bucket; the fixture writes and reads through the client, not the
/// backend under test.
final class S3BackendConformanceTests: XCTestCase {
    struct S3Fixture: ConformanceFixture {
        let backend: any Backend
        let client: S3Client
        let bucket: String
        let prefix: String
        let scratch: String
        var makesChanges: Bool { true }
        var label: String { "S3Backend" }
        var rootPath: [UInt8] { Array("s3://\(bucket)/\(prefix)".utf8) }
        var missingPath: [UInt8] { Array("s3://\(bucket)/missing-\(prefix)".utf8) }

        func write(_ path: String, _ bytes: [UInt8], mtime: FileTime?) async throws {
            var options = S3PutOptions()
            if let mtime { options.metadata = ObjectAttributes.metadata(mtime: mtime, permissions: 0o644) }
            try await client.put(bucket: bucket, key: prefix + path, bytes: bytes, options: options)
        }

        /// A prefix holds something only once a key is below it.
        func makeDirectory(_ path: String) async throws {}

        func read(_ path: String) async throws -> [UInt8]? {
            guard try await client.head(bucket: bucket, key: prefix + path) != nil else { return nil }
            var bytes: [UInt8] = []
            _ = try await client.get(bucket: bucket, key: prefix + path) { buffer in bytes += Array(buffer.readableBytesView) }
            return bytes
        }

        func files() async throws -> [String] {
            try await client.list(bucket: bucket, prefix: prefix).objects.map { String($0.key.dropFirst(prefix.count)) }.sorted()
        }

        func localSource(_ bytes: [UInt8]) throws -> any FileSource {
            let path = scratch + "/source-\(UInt32.random(in: 0...UInt32.max))"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (fd, status) = try FileSystem.openRegularFile(Array(path.utf8), in: FileSystem.currentDirectory, path: path)
            return LocalFileSource(descriptor: fd, status: status, displayPath: path)
        }
    }

    func testTheSharedSuite() async throws {
        let moto = try MotoServer()
        let client = try moto.client()
        let bucket = "conformance"
        try await client.createBucket(bucket)
        let scratch = NSTemporaryDirectory() + "s3-conformance-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for (index, check) in BackendConformance.all.enumerated() {
            // A backend per check, as a run has one: its listings start afresh.
            let fixture = S3Fixture(backend: S3Backend(client: client, transfer: S3TransferOptions()), client: client,
                                    bucket: bucket, prefix: "check-\(index)/", scratch: scratch)
            do {
                try await check.run(BackendConformance(fixture))
            } catch {
                XCTFail("S3Backend \(check.name): \(error)")
            }
        }
        await client.shutdown()
    }
}
