import XCTest
@testable import AWSCore

/// IMDSv2 against moto_server's metadata service, reached through AWS_EC2_METADATA_SERVICE_ENDPOINT.
final class InstanceMetadataTests: XCTestCase {
    func testChainFallsBackToTheInstanceRoleAndReadsInstanceFacts() async throws {
        let moto = try MotoServer()
        let chain = CredentialChain(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": moto.endpointURL], homeDirectory: "/nonexistent",
                                    readFile: { _ in nil })
        let credentials = try await chain.resolve()
        XCTAssertEqual(credentials.accessKeyID, "test-key")
        XCTAssertEqual(credentials.sessionToken, "test-session-token")
        XCTAssertTrue(credentials.source.hasPrefix("instance metadata"))
        let metadata = InstanceMetadata(endpoint: moto.endpointURL)
        let instanceID = try await metadata.value("instance-id")
        XCTAssertEqual(instanceID, "i-fake")
        let zone = try await metadata.value("placement/availability-zone")
        XCTAssertEqual(zone, "us-east-1a")
    }

    func testNoMetadataServiceIsAClearError() async {
        // A port nothing listens on: the chain ends with the "no AWS credentials" message.
        let chain = CredentialChain(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"], homeDirectory: "/nonexistent",
                                    readFile: { _ in nil })
        do {
            _ = try await chain.resolve()
            XCTFail("no credentials anywhere")
        } catch {
            XCTAssertEqual(error as? CredentialChain.Failure, CredentialChain.Failure.none)
            XCTAssertTrue("\(error)".contains("AWS_ACCESS_KEY_ID"))
        }
        let disabled = CredentialChain(environment: ["AWS_EC2_METADATA_DISABLED": "true"], homeDirectory: "/nonexistent", readFile: { _ in nil })
        do {
            _ = try await disabled.resolve()
            XCTFail("no credentials anywhere")
        } catch {
            XCTAssertEqual(error as? CredentialChain.Failure, CredentialChain.Failure.none)
        }
    }
}
