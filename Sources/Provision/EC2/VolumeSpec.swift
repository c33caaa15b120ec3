import Crypto
import Provision

/// The volumes `ebs create-volumes` makes, checked against EC2's limits per volume type before
/// any call, so a bad size or IOPS figure is one clear line and nothing is created.
public struct VolumeSpec: Sendable, Equatable {
    public var sizeGiB: Int
    public var type: String
    public var iops: Int?
    public var throughput: Int?
    public var encrypted: Bool
    public var kmsKeyID: String?

    struct Limits {
        let size: ClosedRange<Int>
        let iops: ClosedRange<Int>?
        let iopsRequired: Bool
        let throughput: ClosedRange<Int>?
    }

    static let limits: [String: Limits] = [
        "gp3": Limits(size: 1...16_384, iops: 3_000...16_000, iopsRequired: false, throughput: 125...1_000),
        "gp2": Limits(size: 1...16_384, iops: nil, iopsRequired: false, throughput: nil),
        "io1": Limits(size: 4...16_384, iops: 100...64_000, iopsRequired: true, throughput: nil),
        "io2": Limits(size: 4...65_536, iops: 100...256_000, iopsRequired: true, throughput: nil),
        "st1": Limits(size: 125...16_384, iops: nil, iopsRequired: false, throughput: nil),
        "sc1": Limits(size: 125...16_384, iops: nil, iopsRequired: false, throughput: nil),
        "standard": Limits(size: 1...1_024, iops: nil, iopsRequired: false, throughput: nil),
    ]

    /// `kmsKeyID` implies encryption (EC2 refuses a key without `Encrypted=true`).
    public init(sizeGiB: Int, type: String = "gp3", iops: Int? = nil, throughput: Int? = nil, encrypted: Bool = false,
                kmsKeyID: String? = nil) throws(ProvisionError) {
        guard let limits = Self.limits[type] else {
            throw .usage("invalid --type \"\(type)\": one of \(Self.limits.keys.sorted().joined(separator: ", "))")
        }
        guard limits.size.contains(sizeGiB) else {
            throw .usage("--size \(sizeGiB) is out of range for \(type): \(limits.size.lowerBound)-\(limits.size.upperBound) GiB")
        }
        if let iops {
            guard let range = limits.iops else { throw .usage("--iops is not available for \(type) volumes (gp3, io1, io2 take it)") }
            guard range.contains(iops) else { throw .usage("--iops \(iops) is out of range for \(type): \(range.lowerBound)-\(range.upperBound)") }
        } else if limits.iopsRequired {
            throw .usage("\(type) volumes need --iops")
        }
        if let throughput {
            guard let range = limits.throughput else { throw .usage("--throughput is only available for gp3 volumes") }
            guard range.contains(throughput) else {
                throw .usage("--throughput \(throughput) is out of range for \(type): \(range.lowerBound)-\(range.upperBound) MiB/s")
            }
        }
        if let kmsKeyID, kmsKeyID.isEmpty { throw .usage("--kms-key-id is empty") }
        self.sizeGiB = sizeGiB
        self.type = type
        self.iops = iops
        self.throughput = throughput
        self.encrypted = encrypted || kmsKeyID != nil
        self.kmsKeyID = kmsKeyID
    }

    /// `100 GiB gp3, 4000 IOPS, encrypted`.
    public var summary: String {
        var parts = ["\(sizeGiB) GiB \(type)"]
        if let iops { parts.append("\(iops) IOPS") }
        if let throughput { parts.append("\(throughput) MiB/s") }
        if encrypted { parts.append(kmsKeyID.map { "encrypted with \($0)" } ?? "encrypted") }
        return parts.joined(separator: ", ")
    }
}

/// What makes a re-run find the volumes an earlier run made instead of making new ones: a
/// digest of everything that defines a volume (instance, device, zone, the spec, the user's
/// tags). It is stored on the volume as the tag `swiftsync:spec` (found again with
/// DescribeVolumes) and sent as CreateVolume's ClientToken, so a request repeated after a
/// dropped connection returns the same volume rather than a second one.
public struct VolumeIdentity: Sendable, Equatable {
    public let digest: String

    public static let specTag = "swiftsync:spec"
    public static let deviceTag = "swiftsync:device"
    public static let instanceTag = "swiftsync:instance"

    public init(instanceID: String, device: String, availabilityZone: String, spec: VolumeSpec, tags: [(String, String)]) {
        var fields = [
            "instance=\(instanceID)", "device=\(device)", "zone=\(availabilityZone)", "size=\(spec.sizeGiB)", "type=\(spec.type)",
            "iops=\(spec.iops.map(String.init) ?? "")", "throughput=\(spec.throughput.map(String.init) ?? "")",
            "encrypted=\(spec.encrypted)", "kms=\(spec.kmsKeyID ?? "")",
        ]
        fields += tags.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "tag:\($0.0)=\($0.1)" }
        // Length-prefixed, so no choice of values can make two different lists collide.
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
        digest = String(SHA256.hash(data: Array(canonical.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return "\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
        }.joined().prefix(32))
    }

    /// CreateVolume's ClientToken (at most 64 ASCII characters). `generation` moves past a
    /// token whose volume was deleted (EC2 keeps answering a used token with its first result).
    public func clientToken(generation: Int) -> String { "swiftsync-\(digest)-\(generation)" }
}
