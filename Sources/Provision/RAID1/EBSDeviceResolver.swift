import SyncCore
import SyncSystem

/// A device as given on the command line and the block device it names.
public struct ResolvedDevice: Sendable, Equatable {
    public var given: String
    public var path: String
    /// The EBS volume behind it, when known (`vol-0abc…`).
    public var volumeID: String?
}

/// Finds the block device for an EBS device name. On Nitro instances a volume attached as
/// `/dev/sdf` shows up as an NVMe device (`/dev/nvme1n1`) whose link in `/dev/disk/by-id`,
/// `nvme-Amazon_Elastic_Block_Store_vol0abc…`, carries the volume id, and whose controller
/// data names the device it was attached as. Accepted: a device path that exists (a symlink
/// such as amazon-ec2-utils' `/dev/sdf` is followed), a volume id (`vol-0abc…`), or an EBS
/// name (`/dev/sdf`, `/dev/xvdf`) that no longer exists as such.
///
/// `root` prefixes every path looked at, so a test can build a fake `/dev` tree; the attachment
/// name reader is injected for the same reason (the real one asks the NVMe controller).
public struct EBSDeviceResolver: Sendable {
    public var root: String
    public var attachmentName: @Sendable (_ devicePath: String) -> String?

    public static let byIDPrefix = "nvme-Amazon_Elastic_Block_Store_"

    public init(root: String = "", attachmentName: @escaping @Sendable (String) -> String? = NVMeIdentify.ebsAttachmentName) {
        self.root = root
        self.attachmentName = attachmentName
    }

    public func resolve(_ given: String) throws(ProvisionError) -> ResolvedDevice {
        if given.hasPrefix("vol-") {
            guard let found = ebsDevices().first(where: { $0.volumeID == given }) else {
                throw .usage("no NVMe device for \(given) in /dev/disk/by-id (is it attached to this instance?)")
            }
            return ResolvedDevice(given: given, path: found.path, volumeID: given)
        }
        guard given.hasPrefix("/") else { throw .usage("invalid device \"\(given)\": give a path such as /dev/sdf or a volume id (vol-…)") }
        let volumes = ebsDevices()
        if (try? FileSystem.statusIfPresent(root + given)) != nil {
            let path = followLink(given)
            return ResolvedDevice(given: given, path: path, volumeID: volumes.first { $0.path == path }?.volumeID)
        }
        guard let wanted = Self.ebsName(given) else { throw .usage("\(given) does not exist") }
        for device in volumes where attachmentName(root + device.path).flatMap(Self.ebsName) == wanted {
            return ResolvedDevice(given: given, path: device.path, volumeID: device.volumeID)
        }
        throw .usage("\(given) does not exist, and no NVMe EBS device says it was attached as \(given); give the volume id (vol-…) instead")
    }

    /// Every EBS NVMe device in `/dev/disk/by-id`: its path (without `root`) and volume id.
    public func ebsDevices() -> [(path: String, volumeID: String)] {
        let directory = root + "/dev/disk/by-id"
        var found: [(path: String, volumeID: String)] = []
        for raw in (try? FileSystem.directoryNames(directory)) ?? [] {
            let name = String(decoding: raw, as: UTF8.self)
            guard name.hasPrefix(Self.byIDPrefix + "vol") else { continue }
            var id = name.dropFirst(Self.byIDPrefix.count + 3)
            if id.hasSuffix("_1") { id = id.dropLast(2) }  // newer udev also names the namespace
            guard !id.isEmpty, id.allSatisfy({ $0.isHexDigit }) else { continue }  // skips -partN links
            let volumeID = "vol-" + id
            guard !found.contains(where: { $0.volumeID == volumeID }),
                  let target = try? FileSystem.readLink(Array((directory + "/" + name).utf8), in: FileSystem.currentDirectory, path: name)
            else { continue }
            found.append((Self.normalize("/dev/disk/by-id/" + String(decoding: target, as: UTF8.self)), volumeID))
        }
        return found
    }

    /// `sdf` for `/dev/sdf`, `sdf`, `/dev/xvdf` or `xvdf`; nil for anything else.
    public static func ebsName(_ name: String) -> String? {
        var short = Substring(name)
        if short.hasPrefix("/dev/") { short = short.dropFirst(5) }
        if short.hasPrefix("xvd") { short = "sd" + short.dropFirst(3) }
        guard short.hasPrefix("sd"), short.count >= 3, short.dropFirst(2).allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return String(short)
    }

    /// A symlinked device path (amazon-ec2-utils' `/dev/sdf -> nvme1n1`) to its target.
    func followLink(_ path: String) -> String {
        var current = path
        for _ in 0..<8 {
            guard let target = try? FileSystem.readLink(Array((root + current).utf8), in: FileSystem.currentDirectory, path: current) else {
                return current
            }
            let text = String(decoding: target, as: UTF8.self)
            current = Self.normalize(text.hasPrefix("/") ? text : FileSystemPaths.directory(of: current) + "/" + text)
        }
        return current
    }

    /// `/dev/disk/by-id/../../nvme1n1` → `/dev/nvme1n1` (lexically).
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

enum FileSystemPaths {
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
