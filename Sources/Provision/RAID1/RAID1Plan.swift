/// What the system looks like before `raid1 create` changes anything: the members' facts, the
/// array if it exists, and the tables the array is recorded in.
public struct RAID1State: Sendable, Equatable {
    /// `mdadm --detail --export` of the array device, when it is an active array.
    public struct ArrayDetail: Sendable, Equatable {
        public var level: String
        public var uuid: String?
        public var members: [String]

        public init(level: String, uuid: String?, members: [String]) {
            self.level = level
            self.uuid = uuid
            self.members = members
        }

        /// Reads `MD_LEVEL`, `MD_UUID` and the `MD_DEVICE_*_DEV` member paths.
        public init?(export: [String: String]) {
            guard let level = export["MD_LEVEL"] else { return nil }
            self.init(level: level, uuid: export["MD_UUID"],
                      members: export.filter { $0.key.hasPrefix("MD_DEVICE_") && $0.key.hasSuffix("_DEV") }.map(\.value).sorted())
        }
    }

    public var members: [BlockDeviceFacts]
    public var array: ArrayDetail?
    /// `blkid -p` of the array device (its filesystem), when the array exists.
    public var arraySignature: [String: String] = [:]
    public var arrayDevice: (major: UInt32, minor: UInt32)?
    public var mdadmConf = ""
    public var fstab = ""
    public var mounts: [MountEntry] = []
    /// nil: the mount point does not exist; else how many entries it holds.
    public var mountPointEntries: Int?
    /// systemd runs (`/run/systemd/system`): it reads fstab into mount units, so a new line
    /// needs `systemctl daemon-reload` before the mount.
    public var systemd = false

    public init(members: [BlockDeviceFacts]) { self.members = members }

    public static func == (a: RAID1State, b: RAID1State) -> Bool {
        a.members == b.members && a.array == b.array && a.arraySignature == b.arraySignature && a.mdadmConf == b.mdadmConf
            && a.fstab == b.fstab && a.mounts == b.mounts && a.mountPointEntries == b.mountPointEntries
            && a.arrayDevice?.major == b.arrayDevice?.major && a.arrayDevice?.minor == b.arrayDevice?.minor && a.systemd == b.systemd
    }
}

/// One step of `raid1 create`, printed before it runs (or, with `--dry-run`, instead).
public enum RAID1Step: Sendable, Equatable {
    /// Already as wanted: printed as `ok: …`, nothing runs.
    case satisfied(String)
    case run(Command)
    /// Reads the new filesystem's UUID (`blkid -s UUID -o value MD`) for the fstab line.
    case readUUID(Command)
    /// `mdadm --detail --scan`, then its `ARRAY` line for the array appended to mdadm.conf.
    case recordArray(scan: Command, md: String, conf: String)
    /// Appends `UUID=… MOUNT TYPE defaults,nofail 0 PASS` to fstab (`uuid` nil: read by an earlier step).
    case addFstabEntry(fstab: String, uuid: String?, mountPoint: String, fileSystem: String, pass: Int)
    case makeDirectory(String)

    /// The step as printed: `+ command` when it runs, `would run: command` under `--dry-run`.
    public func line(dryRun: Bool) -> String {
        let run = dryRun ? "would run: " : "+ "
        switch self {
        case .satisfied(let what): return "ok: \(what)"
        case .run(let command), .readUUID(let command): return run + "\(command)"
        case .recordArray(let scan, let md, let conf):
            return dryRun ? "would run: \(scan), and append its ARRAY line for \(md) to \(conf)" : "+ \(scan)"
        case .addFstabEntry(let fstab, let uuid, let mountPoint, let type, let pass):
            let entry = Self.fstabEntry(uuid: uuid ?? "<UUID read by blkid>", mountPoint: mountPoint, fileSystem: type, pass: pass)
            return (dryRun ? "would append to \(fstab): " : "+ append to \(fstab): ") + entry
        case .makeDirectory(let path): return run + "mkdir -p \(path)"
        }
    }

    static func fstabEntry(uuid: String, mountPoint: String, fileSystem: String, pass: Int) -> String {
        "UUID=\(uuid) \(mountPoint) \(fileSystem) defaults,nofail 0 \(pass)"
    }
}

/// Plans `raid1 create` from the request and the state found: pure, so every plan is tested
/// line by line. Each part is skipped when already done, so a re-run on a finished array plans
/// nothing but `ok:` lines; what cannot be done safely is refused before anything runs.
public enum RAID1Planner {
    public static func plan(_ request: RAID1Request, resolved: [String], state: RAID1State) throws(ProvisionError) -> [RAID1Step] {
        var steps: [RAID1Step] = []
        let md = request.md
        let fs = request.fileSystem.rawValue
        let membersText = resolved.joined(separator: " and ")
        if let array = state.array {
            guard array.level == "raid1", Set(array.members) == Set(resolved) else {
                throw .usage("\(md) is already a \(array.level) array of \(array.members.joined(separator: ", ")): choose another --md")
            }
            steps.append(.satisfied("\(md) is already a RAID1 of \(membersText)"))
        } else {
            if let first = state.members.first, let second = state.members.dropFirst().first, first.kind == .blockDevice,
               (first.major, first.minor) == (second.major, second.minor) {
                throw .usage("\(first.path) and \(second.path) are the same device")
            }
            for member in state.members {
                if let problem = member.problem(force: request.force) { throw .usage(problem) }
            }
            for member in state.members where request.force && (!member.signature.isEmpty || !member.partitions.isEmpty) {
                steps.append(.run(Command("wipefs", ["-a", member.path])))
            }
            var create = ["--create", md, "--level=1", "--raid-devices=2", "--metadata=1.2", "--run"]
            if let label = request.label { create.append("--name=\(label)") }
            steps.append(.run(Command("mdadm", create + resolved)))
        }

        var uuid: String?
        let existingType = state.array == nil ? nil : state.arraySignature["TYPE"]
        if existingType == fs, let found = state.arraySignature["UUID"] {
            uuid = found
            steps.append(.satisfied("\(md) already has an \(fs) filesystem (UUID=\(found))"))
        } else {
            if let existingType, !request.force {
                throw .usage("\(md) already holds \(existingType), not \(fs); use --force to make a new \(fs) filesystem on it")
            }
            var mkfs: [String] = []
            if request.force { mkfs.append(request.fileSystem == .ext4 ? "-F" : "-f") }
            if let label = request.label { mkfs += ["-L", label] }
            steps.append(.run(Command("mkfs.\(fs)", mkfs + [md])))
            steps.append(.readUUID(Command("blkid", ["-s", "UUID", "-o", "value", md])))
        }

        let recorded = state.array != nil && !SystemTables.arrayLines(state.mdadmConf, device: md, uuid: state.array?.uuid).isEmpty
        steps.append(recorded ? .satisfied("\(request.mdadmConfPath) already lists \(md)")
                              : .recordArray(scan: Command("mdadm", ["--detail", "--scan"]), md: md, conf: request.mdadmConfPath))

        let fstabEntries = SystemTables.fstab(state.fstab).filter { $0.mountPoint == request.mountPoint }
        if let entry = fstabEntries.first {
            guard let uuid, entry.device == "UUID=\(uuid)" else {
                throw .usage("\(request.fstabPath) already mounts something else at \(request.mountPoint): \"\(entry.line)\"")
            }
            steps.append(.satisfied("\(request.fstabPath) mounts UUID=\(uuid) at \(request.mountPoint)"))
        } else {
            steps.append(.addFstabEntry(fstab: request.fstabPath, uuid: uuid, mountPoint: request.mountPoint, fileSystem: fs,
                                        pass: request.fileSystem.fsckPass))
            if state.systemd && request.fstabPath == "/etc/fstab" { steps.append(.run(Command("systemctl", ["daemon-reload"]))) }
        }

        if let mounted = state.mounts.last(where: { $0.mountPoint == request.mountPoint }) {
            guard let device = state.arrayDevice, (mounted.major, mounted.minor) == (device.major, device.minor) else {
                throw .usage("\(mounted.source) is already mounted at \(request.mountPoint)")
            }
            steps.append(.satisfied("\(md) is mounted at \(request.mountPoint)"))
        } else {
            switch state.mountPointEntries {
            case nil: steps.append(.makeDirectory(request.mountPoint))
            case 0?: break
            case let count? where !request.force:
                throw .usage("\(request.mountPoint) is not empty (\(count) entries would be hidden by the mount); use --force to mount over them")
            default: break
            }
            var mount = [request.mountPoint]
            if request.fstabPath != "/etc/fstab" { mount = ["--fstab", request.fstabPath] + mount }
            steps.append(.run(Command("mount", mount)))
        }
        return steps
    }
}
