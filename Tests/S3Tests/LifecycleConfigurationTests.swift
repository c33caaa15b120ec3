import XCTest
@testable import AWSCore
@testable import S3

/// Lifecycle rules without a server: what is refused before any request, the XML written,
/// a merge that leaves other rules as S3 sent them, and what `lifecycle get` prints.
final class LifecycleConfigurationTests: XCTestCase {
    /// A configuration as S3 answers it, with rules this program never writes.
    private let existing = """
        <?xml version="1.0" encoding="UTF-8"?>
        <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Rule>
            <ID>tagged &amp; sized</ID>
            <Filter><And><Prefix>tmp/</Prefix><Tag><Key>class</Key><Value>scratch</Value></Tag>
              <ObjectSizeGreaterThan>1024</ObjectSizeGreaterThan></And></Filter>
            <Status>Disabled</Status>
            <Expiration><Days>3</Days></Expiration>
            <NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>GLACIER</StorageClass>
              <NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionTransition>
          </Rule>
          <Rule>
            <ID>swiftsync-logs/</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>
            <Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>
          </Rule>
          <Rule><ID>markers</ID><Filter></Filter><Status>Enabled</Status>
            <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>
        </LifecycleConfiguration>
        """

    private func spec(_ configure: (inout LifecycleRuleSpec) -> Void) -> LifecycleRuleSpec {
        var spec = LifecycleRuleSpec(id: "r", prefix: "backups/")
        configure(&spec)
        return spec
    }

    private func refusal(_ spec: LifecycleRuleSpec) -> String? {
        do {
            try spec.validate()
            return nil
        } catch {
            return error.description
        }
    }

    func testValidRulesPass() {
        XCTAssertNil(refusal(spec { $0.glacierAfter = 30 }))
        XCTAssertNil(refusal(spec { $0.glacierAfter = 0; $0.deepArchiveAfter = 90; $0.expireAfter = 365 }))
        XCTAssertNil(refusal(spec { $0.glacierInstantRetrievalAfter = 1; $0.glacierAfter = 2; $0.deepArchiveAfter = 3; $0.expireAfter = 4 }))
        XCTAssertNil(refusal(spec { $0.noncurrentExpireAfter = 1; $0.abortIncompleteAfter = 1 }))
        XCTAssertNil(refusal(spec { $0.expireAfter = 1 }))
    }

    func testInvalidCombinationsAreRefusedNamingTheOptions() {
        XCTAssertEqual(refusal(spec { $0.glacierAfter = 90; $0.expireAfter = 30 }),
                       "--expire-after 30 must be later than --glacier-after 90: an object would expire before (or as) it is archived")
        XCTAssertNotNil(refusal(spec { $0.deepArchiveAfter = 90; $0.expireAfter = 90 }), "expiring on the day of the transition")
        XCTAssertNotNil(refusal(spec { $0.glacierInstantRetrievalAfter = 10; $0.glacierAfter = 200; $0.deepArchiveAfter = 100; $0.expireAfter = 150 }))
        XCTAssertEqual(refusal(spec { $0.glacierAfter = -1 }), "--glacier-after -1: days must not be negative")
        XCTAssertEqual(refusal(spec { $0.noncurrentExpireAfter = -5 }), "--noncurrent-expire-after -5: days must not be negative")
        XCTAssertEqual(refusal(spec { $0.expireAfter = 0 }), "--expire-after 0: must be at least 1 day")
        XCTAssertEqual(refusal(spec { $0.abortIncompleteAfter = 0 }), "--abort-incomplete-after 0: must be at least 1 day")
        XCTAssertEqual(refusal(spec { $0.glacierAfter = 90; $0.deepArchiveAfter = 60 }),
                       "--deep-archive-after 60 must be later than --glacier-after 90: objects move to colder classes, GLACIER_IR then GLACIER then DEEP_ARCHIVE")
        XCTAssertNotNil(refusal(spec { $0.glacierInstantRetrievalAfter = 30; $0.glacierAfter = 30 }), "two transitions on one day")
        XCTAssertTrue(refusal(spec { _ in })?.hasPrefix("nothing to do") == true)
        XCTAssertNotNil(refusal(LifecycleRuleSpec(id: "", prefix: "")))
        XCTAssertNotNil(refusal(spec { $0.id = String(repeating: "x", count: 256); $0.expireAfter = 1 }))
    }

    func testTheRuleIsWrittenAsS3ExpectsIt() {
        let rule = spec { $0.glacierAfter = 30; $0.deepArchiveAfter = 180; $0.expireAfter = 365; $0.noncurrentExpireAfter = 7; $0.abortIncompleteAfter = 2 }.rule
        XCTAssertEqual(rule.element.xml(), "<Rule><ID>r</ID><Filter><Prefix>backups/</Prefix></Filter><Status>Enabled</Status>"
            + "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>"
            + "<Transition><Days>180</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>"
            + "<Expiration><Days>365</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays></NoncurrentVersionExpiration>"
            + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>")
        let body = String(decoding: LifecycleConfiguration(rules: [rule]).xml, as: UTF8.self)
        XCTAssertTrue(body.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?><LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"))
        XCTAssertEqual(try LifecycleConfiguration.parse(Array(body.utf8)).rules, [rule], "reads back as written")
        XCTAssertEqual(LifecycleRuleSpec(id: "x", prefix: "a<b&c").rule.element.xml().contains("<Prefix>a&lt;b&amp;c</Prefix>"), true)
    }

    func testAMergeReplacesOrAddsOneRuleAndKeepsTheOthersAsTheyCame() throws {
        let configuration = try LifecycleConfiguration.parse(Array(existing.utf8))
        XCTAssertEqual(configuration.rules.map(\.id), ["tagged & sized", "swiftsync-logs/", "markers"])
        let replacement = spec { $0.id = "swiftsync-logs/"; $0.prefix = "logs/"; $0.deepArchiveAfter = 90 }.rule
        let replaced = try configuration.merging(replacement)
        XCTAssertEqual(replaced.rules.map(\.id), ["tagged & sized", "swiftsync-logs/", "markers"], "in place")
        XCTAssertEqual(replaced.rules[1], replacement)
        XCTAssertEqual(replaced.rules[0], configuration.rules[0])
        XCTAssertEqual(replaced.rules[2], configuration.rules[2])
        // What goes back to S3 still holds every element of the other rules.
        let sent = try LifecycleConfiguration.parse(replaced.xml)
        XCTAssertEqual(sent.rules[0].element, configuration.rules[0].element.withoutWhitespace)
        XCTAssertEqual(sent.rules[2].element, configuration.rules[2].element.withoutWhitespace)
        let added = try configuration.merging(spec { $0.id = "new"; $0.expireAfter = 9 }.rule)
        XCTAssertEqual(added.rules.map(\.id), ["tagged & sized", "swiftsync-logs/", "markers", "new"])
        XCTAssertEqual(configuration.removing(id: "swiftsync-logs/")?.rules.map(\.id), ["tagged & sized", "markers"])
        XCTAssertNil(configuration.removing(id: "absent"))
        XCTAssertEqual(LifecycleConfiguration(rules: [replacement]).removing(id: "swiftsync-logs/")?.rules, [])
    }

    func testAThousandRulesIsTheLimit() throws {
        let full = LifecycleConfiguration(rules: (0..<1000).map { i in spec { $0.id = "r\(i)"; $0.expireAfter = 1 }.rule })
        XCTAssertThrowsError(try full.merging(spec { $0.id = "one more"; $0.expireAfter = 1 }.rule))
        XCTAssertNoThrow(try full.merging(spec { $0.id = "r5"; $0.expireAfter = 2 }.rule), "replacing is fine")
    }

    func testGetPrintsATableAndTheAwsCLIsJSON() throws {
        let configuration = try LifecycleConfiguration.parse(Array(existing.utf8))
        func row(_ cells: String...) -> String {
            zip(cells, [15, 8, 54, 0]).map { $1 == 0 ? $0 : $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        }
        XCTAssertEqual(configuration.table(bucket: "b").split(separator: "\n").map(String.init), [
            row("ID", "STATUS", "APPLIES TO", "ACTIONS"),
            row("tagged & sized", "Disabled", "prefix tmp/, tag class=scratch, larger than 1024 bytes", "expire after 3 d, noncurrent to GLACIER after 10 d"),
            row("swiftsync-logs/", "Enabled", "prefix logs/", "GLACIER after 30 d"),
            row("markers", "Enabled", "all objects", "remove expired delete markers"),
        ])
        XCTAssertEqual(configuration.json, #"{"Rules": [{"ID": "tagged & sized", "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "class", "Value": "scratch"}], "ObjectSizeGreaterThan": 1024}}, "Status": "Disabled", "Expiration": {"Days": 3}, "NoncurrentVersionTransitions": [{"NoncurrentDays": 10, "StorageClass": "GLACIER", "NewerNoncurrentVersions": 2}]}, {"ID": "swiftsync-logs/", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}, {"ID": "markers", "Filter": {}, "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": true}}]}"#)
        XCTAssertEqual(LifecycleConfiguration().table(bucket: "b"), "no lifecycle rules on s3://b")
        XCTAssertEqual(LifecycleConfiguration().json, #"{"Rules": []}"#)
    }

    func testThePutCarriesContentMD5OfItsBody() async throws {
        let client = S3Client(endpoint: try S3Endpoint(region: "us-east-1", endpointURL: "http://127.0.0.1:9"),
                              credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", source: "test"))
        let configuration = LifecycleConfiguration(rules: [spec { $0.glacierAfter = 1 }.rule])
        let call = client.putLifecycleCall(bucket: "b", configuration, minimumObjectSize: "varies_by_storage_class")
        let request = client.transport.signed(call.request(at: client.endpoint), at: AWSTime.now())
        await client.shutdown()
        XCTAssertEqual(request.body?.bytes, configuration.xml)
        XCTAssertEqual(request.header("content-md5"), S3ETag.base64(S3ETag.md5(configuration.xml)))
        XCTAssertEqual(request.header("x-amz-transition-default-minimum-object-size"), "varies_by_storage_class")
        XCTAssertEqual(request.url, "http://127.0.0.1:9/b/?lifecycle=")
    }
}

extension XMLNode {
    /// The element as the writer sends it: no whitespace text between child elements.
    fileprivate var withoutWhitespace: XMLNode {
        XMLNode(name: name, text: children.isEmpty ? text : "", children: children.map(\.withoutWhitespace))
    }
}
