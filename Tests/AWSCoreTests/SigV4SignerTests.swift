import XCTest
@testable import AWSCore
import Foundation

/// SigV4 against AWS's published examples and against botocore, the AWS CLI's own signer.
final class SigV4SignerTests: XCTestCase {
    func testIAMListUsersExampleFromTheSigV4Documentation() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "iam")
        let request = SigV4Signer.Request(method: "GET", host: "iam.amazonaws.com", path: "/",
                                          query: [("Action", "ListUsers"), ("Version", "2010-05-08")],
                                          headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
        let time = AWSTime(secondsSinceEpoch: 1_440_938_160)
        XCTAssertEqual(time.basic, "20150830T123600Z")
        let headers = Dictionary(uniqueKeysWithValues: signer.signedHeaders(for: request, at: time))
        XCTAssertEqual(headers["authorization"],
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    func testS3GetObjectExampleFromTheS3Documentation() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "s3")
        let request = SigV4Signer.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                          headers: [("Range", "bytes=0-9")])
        let headers = Dictionary(uniqueKeysWithValues: signer.signedHeaders(for: request, at: AWSTime(secondsSinceEpoch: 1_369_353_600)))
        XCTAssertEqual(headers["authorization"],
                       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(headers["x-amz-content-sha256"], SigV4Signer.emptyPayloadHash)
    }

    /// The signing key is kept for the day it was derived for: a request on the next day gets
    /// that day's key, and a signer's copies share it.
    func testSigningKeyIsReusedOnlyForItsDay() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "eu-west-1", service: "s3")
        let copy = signer
        let day1 = signer.signingKey(date: "20261201")
        XCTAssertEqual(day1, signer.deriveSigningKey(date: "20261201"))
        XCTAssertEqual(copy.signingKey(date: "20261201"), day1)
        let day2 = copy.signingKey(date: "20261202")
        XCTAssertNotEqual(day2, day1)
        XCTAssertEqual(day2, signer.deriveSigningKey(date: "20261202"))
        XCTAssertEqual(signer.signingKey(date: "20261201"), day1)
    }

    /// The SigV4 spec's rules for headers: names lowercased and sorted, a repeated header's
    /// values joined with commas in the order sent, values trimmed with space runs collapsed.
    func testCanonicalHeadersOfRepeatedAndMixedCaseNames() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: "s3")
        let request = SigV4Signer.Request(method: "PUT", host: "h", path: "/k",
                                          headers: [("My-Header1", " value1 "), ("Host", "h"), ("my-header1", "value2"),
                                                    ("My-Header2", "\"a   b   c\""), ("my-header1", "value3")],
                                          payloadHash: "UNSIGNED-PAYLOAD")
        let parts = signer.canonicalParts(request)
        XCTAssertEqual(parts.signedHeaders, "host;my-header1;my-header2")
        XCTAssertEqual(parts.request, "PUT\n/k\n\nhost:h\nmy-header1:value1,value2,value3\nmy-header2:\"a b c\"\n\nhost;my-header1;my-header2\nUNSIGNED-PAYLOAD")
    }

    func testHeaderValuesAreTrimmedAndTheirSpaceRunsCollapsed() {
        XCTAssertEqual(SigV4Signer.collapseSpaces("20261201T000000Z"), "20261201T000000Z")
        XCTAssertEqual(SigV4Signer.collapseSpaces("  a   b  "), "a b")
        XCTAssertEqual(SigV4Signer.collapseSpaces("\ta b\t"), "a b")
        XCTAssertEqual(SigV4Signer.collapseSpaces("a  b"), "a b")
        XCTAssertEqual(SigV4Signer.collapseSpaces("a b c"), "a b c")
        XCTAssertEqual(SigV4Signer.collapseSpaces(""), "")
        XCTAssertEqual(SigV4Signer.collapseSpaces("  "), "")
    }

    func testSecretsStayOutOfDescriptions() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t/value", sessionToken: "tok3n", source: "environment")
        XCTAssertFalse("\(credentials)".contains("s3cr3t"))
        XCTAssertFalse("\(credentials)".contains("tok3n"))
        XCTAssertFalse(String(reflecting: credentials).contains("s3cr3t") && "\(credentials)".contains("s3cr3t"))
    }

    func testURIEncodingOfOddKeys() {
        XCTAssertEqual(AWSURI.encode("a b+c~d/é", keepSlash: true), "a%20b%2Bc~d/%C3%A9")
        XCTAssertEqual(AWSURI.encode("a/b"), "a%2Fb")
        XCTAssertEqual(AWSURI.decode("a%20b%2Bc+%C3%A9"), "a b+c+é")
        XCTAssertNil(AWSURI.decode("bad%2"))
        XCTAssertNil(AWSURI.decode("%FF"))
    }

    func testTimesAroundTheCalendar() {
        for (seconds, text) in [(Int64(0), "19700101T000000Z"), (951_782_400, "20000229T000000Z"), (4_102_444_799, "20991231T235959Z"),
                                (1_709_164_800, "20240229T000000Z")] {
            XCTAssertEqual(AWSTime(secondsSinceEpoch: seconds).basic, text)
        }
        XCTAssertEqual(AWSTime.parseISO8601("2024-02-29T00:00:00.000Z"), 1_709_164_800)
        XCTAssertEqual(AWSTime.parseISO8601("1970-01-01T00:00:01Z"), 1)
        XCTAssertNil(AWSTime.parseISO8601("yesterday"))
    }

    /// Many requests (odd keys, queries, temporary credentials, several services) signed by us
    /// and by botocore must carry the same Authorization header.
    func testAgreesWithBotocore() throws {
        struct Case: Codable {
            var service, region, key, secret: String
            var token: String?
            var time: Int64
            var method, host, path: String
            var query: [[String]]
            var headers: [[String]]
            var payload_hash: String
        }
        var cases: [Case] = []
        let keys = ["plain.txt", "dir/with space/and+plus~tilde.bin", "ünïcödé/文件.txt", "a=b&c=d", "!'()*[]@$,;"]
        for (i, key) in keys.enumerated() {
            cases.append(Case(service: "s3", region: ["us-east-1", "eu-west-2"][i % 2], key: "AKID\(i)", secret: "secret/\(i)+x",
                              token: i % 2 == 0 ? nil : "session-token-\(i)", time: 1_700_000_000 + Int64(i) * 86_399,
                              method: ["GET", "PUT", "DELETE", "POST", "HEAD"][i], host: "bucket.s3.amazonaws.com",
                              path: "/" + AWSURI.encode(key, keepSlash: true),
                              query: i == 3 ? [["uploads", ""]] : [["list-type", "2"], ["prefix", key], ["continuation-token", "x/y=z"]],
                              headers: [["Content-Type", "application/octet-stream"], ["x-amz-meta-mtime", "  1700000000   spaced  "]],
                              payload_hash: i == 1 ? SigV4Signer.unsignedPayload : SigV4Signer.emptyPayloadHash))
        }
        cases.append(Case(service: "ec2", region: "us-west-2", key: "AKIDEC2", secret: "ec2secret", token: nil, time: 1_800_000_000,
                          method: "POST", host: "ec2.us-west-2.amazonaws.com", path: "/", query: [],
                          headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
                          payload_hash: SigV4Signer.hex([UInt8]("Action=DescribeVolumes&Version=2016-11-15".utf8).sha256())))
        let expected = try botocore(cases)
        XCTAssertEqual(expected.count, cases.count)
        for (c, theirs) in zip(cases, expected) {
            let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: c.key, secretAccessKey: c.secret, sessionToken: c.token),
                                     region: c.region, service: c.service)
            let request = SigV4Signer.Request(method: c.method, host: c.host, path: c.path, query: c.query.map { ($0[0], $0[1]) },
                                              headers: c.headers.map { ($0[0], $0[1]) }, payloadHash: c.payload_hash)
            let ours = Dictionary(uniqueKeysWithValues: signer.signedHeaders(for: request, at: AWSTime(secondsSinceEpoch: c.time)))
            XCTAssertEqual(ours["authorization"], theirs, "\(c.method) \(c.path) \(c.query)")
        }
    }

    private func botocore<T: Encodable>(_ cases: T) throws -> [String] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sigv4_oracle.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            XCTFail("botocore is required (make test installs awscli): python3 \(script) exited \(process.terminationStatus)")
            return []
        }
        return try JSONDecoder().decode([String].self, from: data)
    }
}

import Crypto
extension Array where Element == UInt8 {
    func sha256() -> [UInt8] { Array(SHA256.hash(data: self)) }
}
