/// What `swiftsync raid1 create` is asked for, validated: two devices, the array device, the
/// filesystem and where it is mounted, and the files it records the array in.
public struct RAID1Request: Sendable, Equatable {
    public enum FileSystemType: String, Sendable, CaseIterable {
        case ext4, xfs

        /// Longest label each accepts (bytes).
        var labelLimit: Int { self == .ext4 ? 16 : 12 }
        /// fstab's fsck pass: ext4 is checked at boot after the root; fsck.xfs does nothing.
        var fsckPass: Int { self == .ext4 ? 2 : 0 }
    }

    public var devices: [String]
    public var mountPoint: String
    public var fileSystem: FileSystemType
    public var md: String
    public var label: String?
    public var dryRun: Bool
    public var force: Bool
    public var fstabPath: String
    public var mdadmConfPath: String

    public init(devices: [String], mountPoint: String, fileSystem: FileSystemType = .ext4, md: String = "/dev/md0", label: String? = nil,
                dryRun: Bool = false, force: Bool = false, fstabPath: String = "/etc/fstab", mdadmConfPath: String) throws(ProvisionError) {
        guard devices.count == 2 else { throw .usage("--devices takes exactly two devices (A,B), got \(devices.count)") }
        guard devices[0] != devices[1] else { throw .usage("--devices names \(devices[0]) twice") }
        guard mountPoint.hasPrefix("/"), mountPoint != "/", !mountPoint.contains("//"), !mountPoint.split(separator: "/").contains("..") else {
            throw .usage("invalid --mount \"\(mountPoint)\": expected an absolute directory other than /")
        }
        guard mountPoint.allSatisfy({ $0 != " " && $0 != "\t" && $0 != "\n" && $0 != "\\" }) else {
            throw .usage("invalid --mount \"\(mountPoint)\": spaces and backslashes are not supported in fstab here")
        }
        guard Self.isArrayDevice(md) else { throw .usage("invalid --md \"\(md)\": expected /dev/mdN or /dev/md/NAME") }
        if let label {
            guard !label.isEmpty, label.utf8.count <= fileSystem.labelLimit,
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
                throw .usage("invalid --label \"\(label)\": up to \(fileSystem.labelLimit) letters, digits, _ - . for \(fileSystem.rawValue)")
            }
        }
        for path in [fstabPath, mdadmConfPath] where !path.hasPrefix("/") {
            throw .usage("\(path) must be an absolute path")
        }
        var mount = mountPoint
        while mount.hasSuffix("/") { mount.removeLast() }
        self.devices = devices
        self.mountPoint = mount
        self.fileSystem = fileSystem
        self.md = md
        self.label = label
        self.dryRun = dryRun
        self.force = force
        self.fstabPath = fstabPath
        self.mdadmConfPath = mdadmConfPath
    }

    static func isArrayDevice(_ path: String) -> Bool {
        if path.hasPrefix("/dev/md/") {
            let name = path.dropFirst("/dev/md/".count)
            return !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-".contains($0)) }
        }
        let number = path.dropFirst("/dev/md".count)
        return path.hasPrefix("/dev/md") && !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Debian keeps it in /etc/mdadm/, Red Hat in /etc.
    public static func defaultMdadmConf(debianDirectoryExists: Bool) -> String {
        debianDirectoryExists ? "/etc/mdadm/mdadm.conf" : "/etc/mdadm.conf"
    }
}
