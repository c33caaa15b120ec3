import ArgumentParser
import Provision
import SyncCore
import SyncSystem

/// `swiftsync raid1 create`: a software RAID1 of two devices with a filesystem, recorded in
/// mdadm.conf and fstab, mounted.
struct RAID1Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raid1",
        abstract: "Build a software RAID1 from two devices, with a filesystem mounted (e.g. at /backups).",
        subcommands: [RAID1CreateCommand.self]
    )
}

struct RAID1CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "mdadm --create (level 1), mkfs, mdadm.conf, an fstab line by UUID with nofail, mount. Re-running on a finished array does nothing.",
        usage: "swiftsync raid1 create --devices A,B --mount DIR [--filesystem ext4|xfs] [--md /dev/md0] [--label NAME] [--dry-run] [--force]"
    )

    @Option(help: ArgumentHelp("The two devices: paths (/dev/nvme1n1, /dev/sdf, which is resolved on Nitro instances) or EBS volume ids.", valueName: "A,B"))
    var devices: String
    @Option(help: ArgumentHelp("Where to mount the array.", valueName: "DIR")) var mount: String
    @Option(help: ArgumentHelp("ext4 or xfs.", valueName: "TYPE")) var filesystem: String = "ext4"
    @Option(help: ArgumentHelp("The array device.", valueName: "DEVICE")) var md: String = "/dev/md0"
    @Option(help: ArgumentHelp("Filesystem label (and array name).", valueName: "NAME")) var label: String?
    @Flag(name: .customLong("dry-run"), help: "Print every command, change nothing.") var dryRun = false
    @Flag(help: "Overwrite signatures found on the devices (filesystems, partition tables), and mount over a non-empty directory.") var force = false
    @Option(help: ArgumentHelp("The fstab to add the mount to.", valueName: "FILE")) var fstab: String = "/etc/fstab"
    @Option(name: .customLong("mdadm-conf"), help: ArgumentHelp("The mdadm.conf to record the array in (default /etc/mdadm/mdadm.conf, or /etc/mdadm.conf where /etc/mdadm does not exist).", valueName: "FILE"))
    var mdadmConf: String?

    func run() throws {
        try ProvisionOutput.run { () throws(ProvisionError) in
            guard let type = RAID1Request.FileSystemType(rawValue: filesystem) else {
                throw .usage("invalid --filesystem \"\(filesystem)\": ext4 or xfs")
            }
            let debian = (try? FileSystem.statusIfPresent("/etc/mdadm"))?.kind == .directory
            let request = try RAID1Request(devices: devices.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                                           mountPoint: mount, fileSystem: type, md: md, label: label, dryRun: dryRun, force: force,
                                           fstabPath: fstab, mdadmConfPath: mdadmConf ?? RAID1Request.defaultMdadmConf(debianDirectoryExists: debian))
            _ = try RAID1Builder(request: request, runner: SystemCommandRunner(), log: ProvisionOutput.steps(json: false)).run()
        }
    }
}
