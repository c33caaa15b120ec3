import AWSCore
import XCTest
@testable import S3

final class S3EndpointTests: XCTestCase {
    /// "HOST PATH" of a request for `key` in `bucket`.
    private func where_(_ endpoint: S3Endpoint, _ bucket: String, _ key: String?) -> String {
        let location = endpoint.location(bucket: bucket, key: key)
        return "\(location.host) \(location.path)"
    }

    func testAddressingAndURLs() throws {
        let aws = try S3Endpoint(region: "eu-west-2")
        XCTAssertEqual(where_(aws, "my-bucket", "a b/c+d"), "my-bucket.s3.eu-west-2.amazonaws.com /a%20b/c%2Bd")
        XCTAssertEqual(aws.location(bucket: "My_Bucket", key: "k").path, "/My_Bucket/k", "not DNS-safe: path style")
        XCTAssertEqual(try S3Endpoint(region: "us-east-1").host, "s3.amazonaws.com")
        let local = try S3Endpoint(region: "us-east-1", endpointURL: "http://127.0.0.1:5000/")
        XCTAssertEqual(where_(local, "b", "x/y"), "127.0.0.1:5000 /b/x/y")
        XCTAssertEqual(where_(local, "b", nil), "127.0.0.1:5000 /b/")
        let forced = try S3Endpoint(region: "us-east-1", endpointURL: "https://minio.example.com", addressing: .path)
        XCTAssertEqual(where_(forced, "b", "k"), "minio.example.com /b/k")
        for bad in ["ftp://x", "127.0.0.1:9000", "http://", "http://host:99999"] {
            XCTAssertThrowsError(try S3Endpoint(region: "us-east-1", endpointURL: bad), bad)
        }
    }

    /// A password in --endpoint-url is refused without being shown, wherever the URL breaks.
    func testEndpointURLsWithAPasswordAreRefusedRedacted() {
        let cases = ["https://alice:hunter2@s3.example.com/": "https://***@s3.example.com/",
                     "https://alice:hun/ter2@s3.example.com/": "https://***@s3.example.com/",
                     "http://alice:hunter2@127.0.0.1:x/": "http://***@127.0.0.1:x/",
                     "alice:hunter2@s3.example.com": "***@s3.example.com",
                     "https://a@b:hunter2@s3.example.com": "https://***@s3.example.com"]
        for (url, shown) in cases {
            XCTAssertThrowsError(try S3Endpoint(region: "us-east-1", endpointURL: url)) { error in
                XCTAssertEqual("\(error)", "invalid --endpoint-url \"\(shown)\": expected http(s)://host[:port]")
            }
            XCTAssertThrowsError(try AWSEndpoint(service: "ec2", region: "us-east-1", url: url)) { error in
                XCTAssertFalse("\(error)".contains("hunter2") || "\(error)".contains("alice"), "\(error)")
            }
        }
        XCTAssertEqual(AWSEndpoint.redacted("http://127.0.0.1:5000/"), "http://127.0.0.1:5000/")
    }

    func testS3URLsAndETags() {
        XCTAssertEqual(S3URL("s3://bucket/host/dir/"), S3URL(bucket: "bucket", key: "host/dir/"))
        XCTAssertEqual(S3URL("s3://bucket"), S3URL(bucket: "bucket", key: ""))
        XCTAssertNil(S3URL("s3://"))
        XCTAssertNil(S3URL("/local/path"))
        XCTAssertEqual(S3ETag.base64(Array("hello".utf8)), "aGVsbG8=")
        XCTAssertEqual(S3ETag.base64([]), "")
        XCTAssertEqual(S3ETag.base64(Array("hi!?".utf8)), "aGkhPw==")
        XCTAssertEqual(S3ETag.single(S3ETag.md5(Array("hello".utf8))), "\"5d41402abc4b2a76b9719d911017c592\"")
        XCTAssertEqual(S3ETag.partSize(for: 100 << 20, requested: 8 << 20), 8 << 20)
        XCTAssertEqual(S3ETag.partSize(for: 100 << 30, requested: 8 << 20), 16 << 20, "grown to stay within 10,000 parts")
        XCTAssertEqual(S3ETag.partSize(for: 1, requested: 1 << 20), 5 << 20, "S3's minimum")
    }
}
