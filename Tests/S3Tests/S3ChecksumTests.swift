import XCTest
@testable import S3

/// CRC32 part checksums: values as the aws CLI sends them, the COMPOSITE form S3 keeps, and
/// the completion document that names them.
final class S3ChecksumTests: XCTestCase {
    func testCRC32ValuesAreTheOnesTheSDKsSend() {
        XCTAssertEqual(S3Checksum.crc32(Array("123456789".utf8)), 0xCBF4_3926, "the CRC-32 check value")
        // What the aws CLI 1.45 sent as x-amz-checksum-crc32 for a file holding "hello\n".
        XCTAssertEqual(S3Checksum.crc32Value(S3Checksum.crc32(Array("hello\n".utf8))), "NjowIA==")
        XCTAssertEqual(S3Checksum.crc32Value(0), "AAAAAA==")
    }

    func testCompositeIsTheCRC32OfThePartCRC32s() {
        // Computed with Python's zlib.crc32 over parts "aaaaa", "bbb" and an empty one.
        let parts = ["aaaaa", "bbb", ""].map { S3Checksum.crc32(Array($0.utf8)) }
        XCTAssertEqual(parts, [0xEEAC_93B9, 0x4065_CF0D, 0])
        XCTAssertEqual(S3Checksum.compositeCRC32(parts), "B3CyRQ==-3")
    }

    func testDigestsTakenInPiecesEqualTheWholeAndAreOffUnlessAsked() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        var pieces = PayloadDigests(sha256: false, crc32: true)
        bytes.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: 4_093) {
                pieces.update(UnsafeRawBufferPointer(rebasing: raw[start..<min(raw.count, start + 4_093)]))
            }
        }
        XCTAssertEqual(pieces.checksumCRC32, S3Checksum.crc32Value(S3Checksum.crc32(bytes)))
        XCTAssertEqual(pieces.finalize().md5, S3ETag.md5(bytes))
        var plain = PayloadDigests(sha256: true)
        bytes.withUnsafeBytes { plain.update($0) }
        XCTAssertNil(plain.checksumCRC32)
        XCTAssertNotNil(plain.finalize().sha256)
    }

    func testCompletionDocumentNamesEveryPartInOrderWithItsChecksum() {
        let withChecksums = S3Client.completionDocument([S3Client.CompletedPart(etag: "\"a\"", checksumCRC32: "NjowIA=="),
                                                         S3Client.CompletedPart(etag: "\"b\"", checksumCRC32: "AAAAAA==")])
        XCTAssertEqual(withChecksums, "<CompleteMultipartUpload>"
            + "<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag><ChecksumCRC32>NjowIA==</ChecksumCRC32></Part>"
            + "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
            + "</CompleteMultipartUpload>")
        // Copies (UploadPartCopy) name ETags only.
        XCTAssertEqual(S3Client.completionDocument([S3Client.CompletedPart(etag: "e")]),
                       "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")
    }
}
