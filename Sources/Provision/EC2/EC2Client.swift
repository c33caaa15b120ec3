import AWSCore
import NIOHTTP1

/// The EC2 calls provisioning makes. ``EC2Client`` makes them over HTTP; tests put an
/// in-memory EC2 behind the same protocol to drive failures the real one rarely shows.
/// Methods throw ``AWSError`` (with EC2's error code) or ``EC2ParseError``.
public protocol EC2API: Sendable {
    func describeInstance(_ instanceID: String) async throws -> EC2Instance
    /// Every volume matching (all pages); volume ids that do not exist give no volume, not an error.
    func describeVolumes(ids: [String], filters: [EC2Query.Filter]) async throws -> [EC2Volume]
    func createVolume(_ request: CreateVolumeRequest) async throws -> EC2Volume
    func attachVolume(_ volumeID: String, instanceID: String, device: String) async throws -> EC2Attachment
    func detachVolume(_ volumeID: String, instanceID: String, device: String) async throws -> EC2Attachment
    func deleteVolume(_ volumeID: String) async throws
}

/// EC2's Query API over an ``AWSTransport`` (SigV4 for service "ec2", retries with backoff).
public struct EC2Client: EC2API {
    let transport: AWSTransport

    public init(transport: AWSTransport) { self.transport = transport }

    /// Closes the transport's connections; call once when done.
    public func shutdown() async { await transport.shutdown() }

    /// Sends `query` and returns the parsed response document.
    public func call(_ query: EC2Query) async throws -> XMLNode {
        let request = AWSRequest(operation: query.action, method: .POST, path: "/",
                                 headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
                                 body: .bytes(Array(query.formBody.utf8)))
        let response = try await transport.send(request)
        do {
            return try XMLNode.parse(response.body)
        } catch {
            throw AWSError(operation: query.action, status: response.status, code: nil, message: "unreadable answer (\(error))")
        }
    }

    public func describeInstance(_ instanceID: String) async throws -> EC2Instance {
        let root: XMLNode
        do {
            root = try await call(.describeInstances(ids: [instanceID]))
        } catch let error as AWSError where error.code == "InvalidInstanceID.NotFound" || error.code == "InvalidInstanceID.Malformed" {
            throw AWSError(operation: error.operation, status: error.status, code: error.code, message: "no instance \(instanceID) in this region")
        }
        guard let instance = try EC2Instance.list(root).first(where: { $0.instanceID == instanceID }) else {
            throw AWSError(operation: "DescribeInstances", status: 200, code: "InvalidInstanceID.NotFound", message: "no instance \(instanceID) in this region")
        }
        return instance
    }

    public func describeVolumes(ids: [String], filters: [EC2Query.Filter]) async throws -> [EC2Volume] {
        var volumes: [EC2Volume] = []
        var token: String?
        repeat {
            let root: XMLNode
            do {
                root = try await call(.describeVolumes(ids: ids, filters: filters, nextToken: token))
            } catch let error as AWSError where error.code == "InvalidVolume.NotFound" && !ids.isEmpty {
                // One missing id fails the whole call: ask for each that remains.
                guard ids.count > 1 else { return [] }
                var found: [EC2Volume] = []
                for id in ids { found += try await describeVolumes(ids: [id], filters: filters) }
                return found
            }
            let page = try EC2Volume.page(root)
            volumes += page.volumes
            token = page.nextToken
        } while token != nil
        return volumes
    }

    public func createVolume(_ request: CreateVolumeRequest) async throws -> EC2Volume {
        let root = try await call(.createVolume(request))
        return try EC2Volume(root)
    }

    public func attachVolume(_ volumeID: String, instanceID: String, device: String) async throws -> EC2Attachment {
        try EC2Attachment(try await call(.attachVolume(volumeID, instanceID: instanceID, device: device)))
    }

    public func detachVolume(_ volumeID: String, instanceID: String, device: String) async throws -> EC2Attachment {
        try EC2Attachment(try await call(.detachVolume(volumeID, instanceID: instanceID, device: device)))
    }

    public func deleteVolume(_ volumeID: String) async throws {
        _ = try await call(.deleteVolume(volumeID))
    }
}
