import AWSCore
import Provision
import SyncCore

/// The outputs of the ebs commands: aligned text lines for people, one JSON object for scripts.
public enum EBSReport {
    /// `/dev/sdf  vol-0abc  100 GiB gp3  us-east-1a  created`
    public static func lines(_ volumes: [ProvisionedVolume]) -> [String] {
        table(volumes.map { [$0.device, $0.volumeID, "\($0.sizeGiB) GiB \($0.volumeType)", $0.availabilityZone, $0.created ? "created" : "existing"] })
    }

    public static func json(instance: EC2Instance, volumes: [ProvisionedVolume]) -> JSONValue {
        .object([
            ("instance_id", .string(instance.instanceID)),
            ("availability_zone", .string(instance.availabilityZone)),
            ("volumes", .array(volumes.map { v in
                .object([("device", .string(v.device)), ("volume_id", .string(v.volumeID)), ("size_gib", .integer(Int64(v.sizeGiB))),
                         ("type", .string(v.volumeType)), ("availability_zone", .string(v.availabilityZone)), ("state", .string("attached")),
                         ("created", .bool(v.created))])
            })),
        ])
    }

    /// One attached volume as `ebs list` shows it.
    public struct Attached: Sendable, Equatable {
        public var device: String
        public var volume: EC2Volume
        public var attachmentState: String
    }

    /// The volumes attached to `instanceID`, by device name.
    public static func attached(to instanceID: String, api: any EC2API) async throws(ProvisionError) -> [Attached] {
        let volumes: [EC2Volume]
        do {
            volumes = try await api.describeVolumes(ids: [], filters: [EC2Query.Filter("attachment.instance-id", [instanceID])])
        } catch {
            throw VolumeProvisioner.converted(error)
        }
        return volumes.compactMap { volume in
            volume.attachment(to: instanceID).map { Attached(device: $0.device, volume: volume, attachmentState: $0.state) }
        }.sorted { $0.device < $1.device }
    }

    public static func lines(_ attached: [Attached]) -> [String] {
        table(attached.map { a in
            [a.device, a.volume.volumeID, "\(a.volume.sizeGiB) GiB \(a.volume.volumeType)", a.attachmentState,
             a.volume.tags[VolumeIdentity.specTag] == nil ? "" : "swiftsync"]
        })
    }

    public static func json(instanceID: String, attached: [Attached]) -> JSONValue {
        .object([
            ("instance_id", .string(instanceID)),
            ("volumes", .array(attached.map { a in
                .object([("device", .string(a.device)), ("volume_id", .string(a.volume.volumeID)), ("size_gib", .integer(Int64(a.volume.sizeGiB))),
                         ("type", .string(a.volume.volumeType)), ("state", .string(a.attachmentState)),
                         ("made_by_swiftsync", .bool(a.volume.tags[VolumeIdentity.specTag] != nil)),
                         ("tags", .object(a.volume.tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])
            })),
        ])
    }

    /// Columns padded to their widest cell; trailing spaces dropped.
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            var line = ""
            for (c, cell) in row.enumerated() {
                line += cell + (c == row.count - 1 ? "" : String(repeating: " ", count: widths[c] - cell.count + 2))
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
