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
