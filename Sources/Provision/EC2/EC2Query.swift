import AWSCore

/// One EC2 Query API call: the action and its parameters, sent form-encoded in a POST body
/// (`Action=CreateVolume&Version=2016-11-15&Size=100…`). Pure builders, one per call we make,
/// so every request's parameters are tested without a server.
public struct EC2Query: Sendable, Equatable, CustomStringConvertible {
    public static let apiVersion = "2016-11-15"

    public var action: String
    public var parameters: [(String, String)]

    public init(action: String, parameters: [(String, String)]) {
        self.action = action
        self.parameters = parameters
    }

    public static func == (a: EC2Query, b: EC2Query) -> Bool {
        a.action == b.action && a.parameters.map { "\($0.0)=\($0.1)" } == b.parameters.map { "\($0.0)=\($0.1)" }
    }

    /// The body: every name and value percent-encoded (RFC 3986 unreserved characters kept).
    public var formBody: String {
        ([("Action", action), ("Version", Self.apiVersion)] + parameters)
            .map { "\(AWSURI.encode($0.0))=\(AWSURI.encode($0.1))" }.joined(separator: "&")
    }

    public var description: String { formBody }

    /// A filter for the Describe calls: `Filter.N.Name`, `Filter.N.Value.M`.
    public struct Filter: Sendable, Equatable {
        public var name: String
        public var values: [String]

        public init(_ name: String, _ values: [String]) {
            self.name = name
            self.values = values
        }
    }

    public static func createVolume(_ request: CreateVolumeRequest) -> EC2Query {
        let spec = request.spec
        var p: [(String, String)] = [
            ("AvailabilityZone", request.availabilityZone), ("Size", String(spec.sizeGiB)), ("VolumeType", spec.type),
        ]
        if let iops = spec.iops { p.append(("Iops", String(iops))) }
        if let throughput = spec.throughput { p.append(("Throughput", String(throughput))) }
        if spec.encrypted { p.append(("Encrypted", "true")) }
        if let key = spec.kmsKeyID { p.append(("KmsKeyId", key)) }
        p.append(("ClientToken", request.clientToken))
        if !request.tags.isEmpty {
            p.append(("TagSpecification.1.ResourceType", "volume"))
            for (index, (key, value)) in request.tags.enumerated() {
                p.append(("TagSpecification.1.Tag.\(index + 1).Key", key))
                p.append(("TagSpecification.1.Tag.\(index + 1).Value", value))
            }
        }
        return EC2Query(action: "CreateVolume", parameters: p)
    }

    public static func attachVolume(_ volumeID: String, instanceID: String, device: String) -> EC2Query {
        EC2Query(action: "AttachVolume", parameters: [("VolumeId", volumeID), ("InstanceId", instanceID), ("Device", device)])
    }

    public static func detachVolume(_ volumeID: String, instanceID: String, device: String) -> EC2Query {
        EC2Query(action: "DetachVolume", parameters: [("VolumeId", volumeID), ("InstanceId", instanceID), ("Device", device)])
    }

    public static func deleteVolume(_ volumeID: String) -> EC2Query {
        EC2Query(action: "DeleteVolume", parameters: [("VolumeId", volumeID)])
    }

    public static func describeVolumes(ids: [String] = [], filters: [Filter] = [], nextToken: String? = nil) -> EC2Query {
        var p = ids.enumerated().map { ("VolumeId.\($0.offset + 1)", $0.element) }
        p += filterParameters(filters)
        if let nextToken { p.append(("NextToken", nextToken)) }
        return EC2Query(action: "DescribeVolumes", parameters: p)
    }

    public static func describeInstances(ids: [String]) -> EC2Query {
        EC2Query(action: "DescribeInstances", parameters: ids.enumerated().map { ("InstanceId.\($0.offset + 1)", $0.element) })
    }

    static func filterParameters(_ filters: [Filter]) -> [(String, String)] {
        var p: [(String, String)] = []
        for (i, filter) in filters.enumerated() {
            p.append(("Filter.\(i + 1).Name", filter.name))
            for (j, value) in filter.values.enumerated() { p.append(("Filter.\(i + 1).Value.\(j + 1)", value)) }
        }
        return p
    }
}

/// CreateVolume's inputs: the spec, where, the idempotency token and the tags to set.
public struct CreateVolumeRequest: Sendable {
    public var spec: VolumeSpec
    public var availabilityZone: String
    public var clientToken: String
    public var tags: [(String, String)]

    public init(spec: VolumeSpec, availabilityZone: String, clientToken: String, tags: [(String, String)]) {
        self.spec = spec
        self.availabilityZone = availabilityZone
        self.clientToken = clientToken
        self.tags = tags
    }
}
