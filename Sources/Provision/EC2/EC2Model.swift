import AWSCore

/// An EBS volume as DescribeVolumes and CreateVolume answer.
public struct EC2Volume: Sendable, Equatable {
    public var volumeID: String
    public var sizeGiB: Int
    public var availabilityZone: String
    /// creating, available, in-use, deleting, deleted, error.
    public var state: String
    public var volumeType: String
    public var iops: Int?
    public var throughput: Int?
    public var encrypted: Bool
    public var attachments: [EC2Attachment]
    public var tags: [String: String]

    public init(volumeID: String, sizeGiB: Int, availabilityZone: String, state: String, volumeType: String, iops: Int? = nil,
                throughput: Int? = nil, encrypted: Bool = false, attachments: [EC2Attachment] = [], tags: [String: String] = [:]) {
        self.volumeID = volumeID
        self.sizeGiB = sizeGiB
        self.availabilityZone = availabilityZone
        self.state = state
        self.volumeType = volumeType
        self.iops = iops
        self.throughput = throughput
        self.encrypted = encrypted
        self.attachments = attachments
        self.tags = tags
    }

    /// Reads a volume element: a `volumeSet` item, or a CreateVolume response (same fields).
    public init(_ node: XMLNode) throws(EC2ParseError) {
        guard let id = node.text("volumeId"), !id.isEmpty else { throw EC2ParseError("a volume without volumeId") }
        volumeID = id
        sizeGiB = Int(node.text("size") ?? "") ?? 0
        availabilityZone = node.text("availabilityZone") ?? ""
        state = node.text("status") ?? ""
        volumeType = node.text("volumeType") ?? ""
        iops = node.text("iops").flatMap { Int($0) }
        throughput = node.text("throughput").flatMap { Int($0) }
        encrypted = node.text("encrypted") == "true"
        attachments = try (node["attachmentSet"]?.all("item") ?? []).map { item throws(EC2ParseError) in try EC2Attachment(item) }
        tags = Self.tags(node)
    }

    /// The attachment to `instanceID`, if any.
    public func attachment(to instanceID: String) -> EC2Attachment? { attachments.first { $0.instanceID == instanceID } }

    static func tags(_ node: XMLNode) -> [String: String] {
        var tags: [String: String] = [:]
        for item in node["tagSet"]?.all("item") ?? [] {
            if let key = item.text("key") { tags[key] = item.text("value") ?? "" }
        }
        return tags
    }

    /// DescribeVolumes: the volumes and the token for the next page.
    public static func page(_ root: XMLNode) throws(EC2ParseError) -> (volumes: [EC2Volume], nextToken: String?) {
        guard root.name == "DescribeVolumesResponse" else { throw EC2ParseError("expected DescribeVolumesResponse, got \(root.name)") }
        let volumes = try (root["volumeSet"]?.all("item") ?? []).map { item throws(EC2ParseError) in try EC2Volume(item) }
        let token = root.text("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        return (volumes, token)
    }
}

/// A volume's attachment to an instance (attaching, attached, detaching, detached, busy).
public struct EC2Attachment: Sendable, Equatable {
    public var volumeID: String
    public var instanceID: String
    public var device: String
    public var state: String

    public init(volumeID: String, instanceID: String, device: String, state: String) {
        self.volumeID = volumeID
        self.instanceID = instanceID
        self.device = device
        self.state = state
    }

    /// An `attachmentSet` item, or an AttachVolume/DetachVolume response.
    public init(_ node: XMLNode) throws(EC2ParseError) {
        guard let volume = node.text("volumeId"), let instance = node.text("instanceId") else {
            throw EC2ParseError("an attachment without volumeId or instanceId")
        }
        self.init(volumeID: volume, instanceID: instance, device: node.text("device") ?? "", state: node.text("status") ?? "")
    }
}

/// What ebs needs of an instance: where it is and whether it runs.
public struct EC2Instance: Sendable, Equatable {
    public var instanceID: String
    public var availabilityZone: String
    public var state: String

    public init(instanceID: String, availabilityZone: String, state: String) {
        self.instanceID = instanceID
        self.availabilityZone = availabilityZone
        self.state = state
    }

    /// DescribeInstances: every instance in every reservation.
    public static func list(_ root: XMLNode) throws(EC2ParseError) -> [EC2Instance] {
        guard root.name == "DescribeInstancesResponse" else { throw EC2ParseError("expected DescribeInstancesResponse, got \(root.name)") }
        var instances: [EC2Instance] = []
        for reservation in root["reservationSet"]?.all("item") ?? [] {
            for item in reservation["instancesSet"]?.all("item") ?? [] {
                guard let id = item.text("instanceId") else { throw EC2ParseError("an instance without instanceId") }
                instances.append(EC2Instance(instanceID: id, availabilityZone: item["placement"]?.text("availabilityZone") ?? "",
                                             state: item["instanceState"]?.text("name") ?? ""))
            }
        }
        return instances
    }
}

/// An EC2 answer that does not read as the call's response.
public struct EC2ParseError: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "unexpected EC2 answer: \(reason)" }
}
