import AWSCore
import Provision

/// Everything an ebs command needs before its first call: credentials from the chain, the
/// region, the endpoint, a signed transport with retries, and the instance metadata service
/// (nil when disabled) for defaults.
public struct EC2Connection: Sendable {
    public let client: EC2Client
    public let metadata: InstanceMetadata?
    public let region: String

    public static func open(chain: CredentialChain, endpointURL: String?, retries: Int) async throws(ProvisionError) -> EC2Connection {
        guard (0...100).contains(retries) else { throw .usage("--retries must be between 0 and 100") }
        let metadata = chain.metadataEndpoint.map { InstanceMetadata(endpoint: $0) }
        let credentials: AWSCredentials
        do {
            credentials = try await chain.resolve()
        } catch {
            throw .usage("\(error)")
        }
        let region = await InstanceLocator.region(configured: chain.region, metadata: metadata)
        let endpoint: AWSEndpoint
        do { endpoint = try AWSEndpoint(service: "ec2", region: region, url: endpointURL) } catch { throw .usage(error.description) }
        let transport = AWSTransport(service: "ec2", region: region, endpoint: endpoint, credentials: credentials,
                                     retry: RetryPolicy(retries: retries))
        return EC2Connection(client: EC2Client(transport: transport), metadata: metadata, region: region)
    }
}

/// Where the ebs commands run: the instance id (the flag, else IMDSv2) and the region (the
/// credential chain's, else the instance's own from IMDSv2, else us-east-1).
public enum InstanceLocator {
    public static func instanceID(flag: String?, metadata: InstanceMetadata?, log: StepLog) async throws(ProvisionError) -> String {
        if let flag {
            guard flag.hasPrefix("i-"), flag.count > 2 else { throw .usage("invalid --instance-id \"\(flag)\": expected i-…") }
            return flag
        }
        guard let metadata else {
            throw .usage("no --instance-id, and instance metadata is disabled (AWS_EC2_METADATA_DISABLED): give --instance-id")
        }
        log("asking instance metadata (\(metadata.endpoint)) for this instance's id")
        do {
            return try await metadata.value("instance-id")
        } catch {
            throw ProvisionError(.unreachable, "no --instance-id, and \(error) (give --instance-id when not running on the instance)")
        }
    }

    public static func region(configured: String?, metadata: InstanceMetadata?) async -> String {
        if let configured { return configured }
        if let metadata, let region = try? await metadata.value("placement/region"), !region.isEmpty { return region }
        return "us-east-1"
    }
}
