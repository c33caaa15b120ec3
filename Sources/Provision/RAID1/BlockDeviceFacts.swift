import SyncCore
import SyncSystem

/// What is known of a device before it may join an array: what it is, whether anything uses it
/// (mounts, holders such as md or device-mapper, swap, an exclusive opener), and which
/// signatures `blkid -p` finds on it (a filesystem, a partition table, an old array member).
public struct BlockDeviceFacts: Sendable, Equatable {
    public var path: String
    /// nil when nothing is at `path`.
    public var kind: FileKind?
    public var major: UInt32 = 0
    public var minor: UInt32 = 0
    /// Where the device, or one of its partitions, is mounted.
    public var mountPoints: [String] = []
    /// Kernel devices built on it (`md0`, `dm-1`).
    public var holders: [String] = []
    public var partitions: [String] = []
    public var isSwap = false
    /// The kernel refused an exclusive open.
    public var isBusy = false
    /// `blkid -p -o export` values (`TYPE`, `PTTYPE`, `UUID`, `LABEL`); empty when none.
    public var signature: [String: String] = [:]

    public init(path: String, kind: FileKind?) {
        self.path = path
        self.kind = kind
    }

    /// `an ext4 filesystem (UUID=…)`, `a gpt partition table`: what `blkid -p` found, in words.
    public var signatureDescription: String? {
        var found: [String] = []
        if let type = signature["PTTYPE"] { found.append("a \(type) partition table") }
        if let type = signature["TYPE"] {
            let what: String
            switch type {
            case "linux_raid_member": what = "an md RAID member signature"
            case "LVM2_member": what = "an LVM physical volume signature"
            case "swap": what = "a swap signature"
            case "crypto_LUKS": what = "a LUKS encryption header"
            // Read as initialisms: "an ext4", "an xfs", "a btrfs", "a vfat".
            default: what = "\(type.first.map { "aefhilmnorsxAEFHILMNORSX".contains($0) } == true ? "an" : "a") \(type) filesystem"
            }
            let details = ["UUID", "LABEL"].compactMap { key in signature[key].map { "\(key)=\($0)" } }
            found.append(details.isEmpty ? what : "\(what) (\(details.joined(separator: ", ")))")
        }
        if found.isEmpty, !signature.isEmpty, let usage = signature["USAGE"] { found.append("a \(usage) signature") }
        return found.isEmpty ? nil : found.joined(separator: " and ")
    }

    /// Why this device must not become an array member, or nil when it may. Use is always
    /// refused; a signature only without `force`.
    public func problem(force: Bool) -> String? {
        guard let kind else { return "\(path) does not exist" }
        guard kind == .blockDevice else { return "\(path) is not a block device (it is a \(Self.word(for: kind)))" }
        if let mount = mountPoints.first { return "\(path) is mounted at \(mount)" }
        if !holders.isEmpty { return "\(path) is in use by \(holders.joined(separator: ", "))" }
        if isSwap { return "\(path) is in use as swap" }
        if isBusy { return "\(path) is in use (the kernel refused to open it exclusively)" }
        if !force {
            if let found = signatureDescription { return "\(path) has \(found); use --force to overwrite it" }
            if !partitions.isEmpty { return "\(path) has partitions (\(partitions.joined(separator: ", "))); use --force to overwrite them" }
        }
        return nil
    }

    static func word(for kind: FileKind) -> String {
        switch kind {
        case .regular: "regular file"
        case .directory: "directory"
        case .symlink: "symlink"
        case .blockDevice: "block device"
        case .characterDevice: "character device"
        case .fifo: "FIFO"
        case .socket: "socket"
        }
    }
}

/// Reads a device's facts from the system: `stat`, sysfs (`/sys/dev/block/MAJOR:MINOR`), the
/// mount and swap tables, an exclusive open, and `blkid -p` through the command runner. The
/// roots are parameters so a test can point them elsewhere.
public struct BlockDeviceInspector: Sendable {
    public var sysRoot = "/sys"
    public var mountInfoPath = "/proc/self/mountinfo"
    public var swapsPath = "/proc/swaps"
    let runner: any CommandRunner
    let log: StepLog

    public init(runner: any CommandRunner, log: StepLog) {
        self.runner = runner
        self.log = log
    }

    public func inspect(_ path: String) throws(ProvisionError) -> BlockDeviceFacts {
        let status: FileStatus?
        do { status = try FileSystem.statusIfPresent(path) } catch { throw .failed("cannot inspect \(path): \(error.reason)") }
        var facts = BlockDeviceFacts(path: path, kind: status?.kind)
        guard let status, status.kind == .blockDevice else { return facts }
        (facts.major, facts.minor) = DeviceNumber.split(status.rdev)
        let sysDirectory = "\(sysRoot)/dev/block/\(facts.major):\(facts.minor)"
        facts.holders = names(in: sysDirectory + "/holders")
        var numbers = [(facts.major, facts.minor)]
        for name in names(in: sysDirectory) where (try? FileSystem.statusIfPresent("\(sysDirectory)/\(name)/partition")) != nil {
            facts.partitions.append(name)
            if let text = try? FileSystem.readTextIfPresent("\(sysDirectory)/\(name)/dev"), let number = DeviceNumber.parse(text) {
                numbers.append(number)
            }
        }
        let mounts = SystemTables.mounts((try? FileSystem.readTextIfPresent(mountInfoPath)) ?? "")
        facts.mountPoints = mounts.filter { m in numbers.contains { $0 == (m.major, m.minor) } }.map(\.mountPoint)
        facts.isSwap = SystemTables.swapDevices((try? FileSystem.readTextIfPresent(swapsPath)) ?? "").contains { swap in
            guard let swapStatus = try? FileSystem.statusIfPresent(swap) else { return false }
            return swapStatus.kind == .blockDevice && swapStatus.rdev == status.rdev
        }
        do { facts.isBusy = try FileSystem.isBlockDeviceBusy(path) } catch { throw .failed("cannot open \(path): \(error.reason)") }
        facts.signature = try probeSignature(path)
        return facts
    }

    /// `blkid -p -o export DEVICE`: the low-level probe (no cache), which exits 2 when it finds nothing.
    public func probeSignature(_ path: String) throws(ProvisionError) -> [String: String] {
        let command = Command("blkid", ["-p", "-o", "export", path])
        log("+ \(command)")
        let result = try runner.run(command)
        switch result.status {
        case 0: return SystemTables.exports(result.output)
        case 2: return [:]
        default:
            let why = result.errorOutput.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no output"
            throw .failed("\(command) exited with status \(result.status): \(why)")
        }
    }

    private func names(in directory: String) -> [String] {
        ((try? FileSystem.directoryNames(directory)) ?? []).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Linux's `dev_t` encoding (glibc's `gnu_dev_major`/`gnu_dev_minor`).
public enum DeviceNumber {
    public static func split(_ device: UInt64) -> (UInt32, UInt32) {
        let major = ((device & 0x0000_0000_000f_ff00) >> 8) | ((device & 0xffff_f000_0000_0000) >> 32)
        let minor = (device & 0x0000_0000_0000_00ff) | ((device & 0x0000_0fff_fff0_0000) >> 12)
        return (UInt32(truncatingIfNeeded: major), UInt32(truncatingIfNeeded: minor))
    }

    /// `259:1` (a sysfs `dev` file).
    static func parse(_ text: String) -> (UInt32, UInt32)? {
        let parts = text.split(whereSeparator: { $0 == ":" || $0.isNewline })
        guard parts.count == 2, let major = UInt32(parts[0]), let minor = UInt32(parts[1]) else { return nil }
        return (major, minor)
    }
}
