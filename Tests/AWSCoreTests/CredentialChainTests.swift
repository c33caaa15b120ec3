import XCTest
@testable import AWSCore

/// The credential chain's order and file formats, with files and environment injected.
final class CredentialChainTests: XCTestCase {
    private func chain(_ files: [String: String], env: [String: String] = [:], key: String? = nil, secret: String? = nil,
                       profile: String? = nil, region: String? = nil) -> CredentialChain {
        CredentialChain(accessKey: key, secretKey: secret, profile: profile, region: region, environment: env,
                        homeDirectory: "/home/u", readFile: { files[$0] })
    }

    private let credentials = """
        # comment
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = secretdefault

        [work]
        aws_access_key_id=AKIAWORK
        aws_secret_access_key=secretwork
        aws_session_token = tokenwork
        """
    private let config = """
        [default]
        region = eu-west-1
        [profile work]
        region = us-west-2
        s3 =
          max_concurrent_requests = 20
        [profile onlyconfig]
        aws_access_key_id = AKIACONFIG
        aws_secret_access_key = secretconfig
        """
    private let boto = """
        [Credentials]
        aws_access_key_id = AKIABOTO
        aws_secret_access_key = secretboto
        """

    func testFlagsWinThenEnvironmentThenProfileThenBoto() throws {
        let files = ["/home/u/.aws/credentials": credentials, "/home/u/.aws/config": config, "/home/u/.boto": boto]
        let env = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_SESSION_TOKEN": "tokenenv"]
        XCTAssertEqual(try chain(files, env: env, key: "AKIAFLAG", secret: "secretflag").resolveLocally()?.accessKeyID, "AKIAFLAG")
        let fromEnv = try chain(files, env: env).resolveLocally()
        XCTAssertEqual(fromEnv?.accessKeyID, "AKIAENV")
        XCTAssertEqual(fromEnv?.sessionToken, "tokenenv")
        XCTAssertEqual(try chain(files).resolveLocally()?.accessKeyID, "AKIADEFAULT")
        let work = try chain(files, profile: "work").resolveLocally()
        XCTAssertEqual(work, AWSCredentials(accessKeyID: "AKIAWORK", secretAccessKey: "secretwork", sessionToken: "tokenwork", source: "profile work"))
        XCTAssertEqual(try chain(files, env: ["AWS_PROFILE": "onlyconfig"]).resolveLocally()?.accessKeyID, "AKIACONFIG")
        XCTAssertEqual(try chain(["/home/u/.boto": boto]).resolveLocally()?.source, "~/.boto")
        XCTAssertNil(try chain([:]).resolveLocally(), "nothing local: the metadata service is next")
    }

    func testErrorsNameWhatIsWrong() {
        XCTAssertThrowsError(try chain([:], key: "AKIAONLY").resolveLocally()) { XCTAssertEqual($0 as? CredentialChain.Failure, .incompleteFlags) }
        XCTAssertThrowsError(try chain(["/home/u/.aws/credentials": credentials], profile: "nosuch").resolveLocally()) {
            XCTAssertEqual($0 as? CredentialChain.Failure, .unknownProfile("nosuch"))
        }
    }

    func testRegionAndMetadataEndpoint() {
        let files = ["/home/u/.aws/config": config]
        XCTAssertEqual(chain(files).region, "eu-west-1")
        XCTAssertEqual(chain(files, profile: "work").region, "us-west-2")
        XCTAssertEqual(chain(files, env: ["AWS_DEFAULT_REGION": "ap-south-1"]).region, "ap-south-1")
        XCTAssertEqual(chain(files, region: "sa-east-1").region, "sa-east-1")
        XCTAssertEqual(chain([:]).metadataEndpoint, "http://169.254.169.254")
        XCTAssertEqual(chain([:], env: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9999/"]).metadataEndpoint, "http://127.0.0.1:9999")
        XCTAssertNil(chain([:], env: ["AWS_EC2_METADATA_DISABLED": "true"]).metadataEndpoint)
    }

    func testINIDialect() {
        let ini = INIFile(parsing: "key=before\n[a]\nK = v = w\n; c\n  nested = x\nother: y\r\n[ b ]\n")
        XCTAssertEqual(ini["a", "k"], "v = w")
        XCTAssertEqual(ini["a", "other"], "y")
        XCTAssertNil(ini["a", "nested"])
        XCTAssertNotNil(ini.sections["b"])
        XCTAssertNil(ini.sections[""])
    }
}
