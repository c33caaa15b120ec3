import XCTest
@testable import AWSCore

final class XMLTreeTests: XCTestCase {
    func testListBucketResultAsS3SendsIt() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
              <KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;en</NextContinuationToken>
              <Contents><Key>p/a&lt;b&gt;.txt</Key><LastModified>2024-02-29T00:00:00.000Z</LastModified>
                <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>p/&#233;&#x4E2D;</Key><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let root = try XMLNode.parse(xml)
        XCTAssertEqual(root.name, "ListBucketResult")
        XCTAssertEqual(root.text("IsTruncated"), "true")
        XCTAssertEqual(root.text("NextContinuationToken"), "tok&en")
        let contents = root.all("Contents")
        XCTAssertEqual(contents.map { $0.text("Key") }, ["p/a<b>.txt", "p/é中"])
        XCTAssertEqual(contents[0].text("ETag"), "\"9b2cf535f27731c974343645a3985328\"")
        XCTAssertEqual(root["CommonPrefixes"]?.text("Prefix"), "p/sub/")
    }

    func testErrorDocumentAndSelfClosingAndCDATA() throws {
        let root = try XMLNode.parse("<Error><Code>SlowDown</Code><Message><![CDATA[a <b> c]]></Message><Empty/><Attr a='1' b=\"2\">x</Attr></Error>")
        XCTAssertEqual(root.text("Code"), "SlowDown")
        XCTAssertEqual(root.text("Message"), "a <b> c")
        XCTAssertEqual(root.text("Empty"), "")
        XCTAssertEqual(root.text("Attr"), "x")
    }

    func testMalformedDocumentsAreErrorsNotCrashes() {
        for bad in ["", "text", "<a>", "<a></b>", "<a>&bogus;</a>", "<a x=1></a>", "<a></a><b/>", "<a><!-- open </a>", "<a>&#xFFFFFFFF;</a>"] {
            XCTAssertThrowsError(try XMLNode.parse(bad), bad)
        }
    }
}
