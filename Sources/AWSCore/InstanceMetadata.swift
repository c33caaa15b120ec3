#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AsyncHTTPClient
import NIOCore

/// The EC2 instance metadata service, IMDSv2 only (a session token from `PUT /latest/api/token`
/// first): the instance's role credentials for the credential chain, and the instance id and
/// availability zone for `ebs create-volumes`. The endpoint comes from
/// ``CredentialChain/metadataEndpoint`` (`AWS_EC2_METADATA_SERVICE_ENDPOINT` in tests).
public struct InstanceMetadata: Sendable {
    public let endpoint: String
    let http: HTTPClient
    /// Off EC2 nothing answers: keep the wait short so the chain fails fast with a clear message.
    let timeout: TimeAmount

    public init(endpoint: String, http: HTTPClient = .shared, timeoutSeconds: Int64 = 2) {
        self.endpoint = endpoint
        self.http = http
        timeout = .seconds(timeoutSeconds)
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "instance metadata \(path): \(reason)" }
    }

    /// A metadata value, e.g. `instance-id` or `placement/availability-zone`.
    public func value(_ path: String) async throws(Failure) -> String {
        let token = try await sessionToken()
        return try await get("/latest/meta-data/\(path)", token: token)
    }

    /// The credentials of the instance's IAM role.
    public func roleCredentials() async throws(Failure) -> AWSCredentials {
        let token = try await sessionToken()
        let roles = try await get("/latest/meta-data/iam/security-credentials/", token: token)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw Failure(path: "iam/security-credentials/", reason: "the instance has no IAM role")
        }
        let document = try await get("/latest/meta-data/iam/security-credentials/\(role)", token: token)
        struct RoleCredentials: Decodable {
            let AccessKeyId: String
            let SecretAccessKey: String
            let Token: String?
        }
        guard let decoded = try? JSONDecoder().decode(RoleCredentials.self, from: Data(document.utf8)) else {
            throw Failure(path: "iam/security-credentials/\(role)", reason: "unreadable credentials document")
        }
        return AWSCredentials(accessKeyID: decoded.AccessKeyId, secretAccessKey: decoded.SecretAccessKey,
                              sessionToken: decoded.Token, source: "instance metadata (role \(role))")
    }

    func sessionToken() async throws(Failure) -> String {
        var request = HTTPClientRequest(url: endpoint + "/latest/api/token")
        request.method = .PUT
        request.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        return try await send(request, path: "api/token")
    }

    func get(_ path: String, token: String) async throws(Failure) -> String {
        var request = HTTPClientRequest(url: endpoint + path)
        request.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        return try await send(request, path: String(path.dropFirst("/latest/meta-data/".count)))
    }

    private func send(_ request: HTTPClientRequest, path: String) async throws(Failure) -> String {
        do {
            let response = try await http.execute(request, timeout: timeout)
            var body = try await response.body.collect(upTo: 1 << 20)
            let text = body.readString(length: body.readableBytes) ?? ""
            guard response.status.code == 200 else { throw Failure(path: path, reason: "HTTP \(response.status.code)") }
            return text
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(path: path, reason: "no answer from \(endpoint) (\(error))")
        }
    }
}

extension CredentialChain {
    /// The whole chain: ``resolveLocally()``, then the instance's role from IMDSv2.
    public func resolve(http: HTTPClient = .shared) async throws -> AWSCredentials {
        if let local = try resolveLocally() { return local }
        guard let endpoint = metadataEndpoint else { throw Failure.none }
        do {
            return try await InstanceMetadata(endpoint: endpoint, http: http).roleCredentials()
        } catch {
            throw Failure.none
        }
    }
}
