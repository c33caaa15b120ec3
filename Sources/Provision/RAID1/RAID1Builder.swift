import SyncCore
import SyncSystem

/// `swiftsync raid1 create`: resolves the devices, reads the state (read-only commands are
/// printed as they run), plans, and runs the plan — or with `--dry-run` prints it and changes
/// nothing. Every external command goes through the ``CommandRunner``.
public struct RAID1Builder: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The array was built (or completed), mounted at the mount point.
        case built(uuid: String)
        /// Everything was already as asked.
        case nothingToDo
        /// `--dry-run`: the plan was printed.
        case planned
    }

    let request: RAID1Request
    let runner: any CommandRunner
    let log: StepLog
    public var resolver = EBSDeviceResolver()
    public var inspector: BlockDeviceInspector

    public init(request: RAID1Request, runner: any CommandRunner, log: StepLog) {
        self.request = request
        self.runner = runner
        self.log = log
        inspector = BlockDeviceInspector(runner: runner, log: log)
    }

    public func run() throws(ProvisionError) -> Outcome {
        var resolved: [String] = []
        for given in request.devices {
            let device = try resolver.resolve(given)
            if device.path != given { log("\(given) is \(device.path)" + (device.volumeID.map { " (\($0))" } ?? "")) }
            resolved.append(device.path)
        }
        guard resolved[0] != resolved[1] else { throw .usage("\(request.devices[0]) and \(request.devices[1]) are the same device (\(resolved[0]))") }
        try requireTools()
        let state = try readState(members: resolved)
        let steps = try RAID1Planner.plan(request, resolved: resolved, state: state)
        if steps.allSatisfy({ if case .satisfied = $0 { true } else { false } }) {
            for step in steps { log(step.line(dryRun: false)) }
            log("nothing to do: \(request.md) is a RAID1 of \(resolved.joined(separator: " and ")), mounted at \(request.mountPoint)")
            return .nothingToDo
        }
        if request.dryRun {
            for step in steps { log(step.line(dryRun: true)) }
            log("dry run: nothing was changed")
            return .planned
        }
        var uuid: String?
        for step in steps {
            log(step.line(dryRun: false))
            try perform(step, uuid: &uuid)
        }
        log("done: \(request.md) (RAID1 of \(resolved.joined(separator: " and "))) with \(request.fileSystem.rawValue) UUID=\(uuid ?? "?"), mounted at \(request.mountPoint)")
        return .built(uuid: uuid ?? "")
    }

    func requireTools() throws(ProvisionError) {
        for program in ["mdadm", "blkid", "mount", "mkfs.\(request.fileSystem.rawValue)"] + (request.force ? ["wipefs"] : [])
        where !runner.isAvailable(program) {
            let package = program == "mdadm" ? "mdadm" : program == "mkfs.xfs" ? "xfsprogs" : program == "mkfs.ext4" ? "e2fsprogs" : "util-linux"
            throw .usage("\(program) is not installed (apt-get install \(package))")
        }
    }

    /// Everything the planner needs, read without changing anything.
    func readState(members: [String]) throws(ProvisionError) -> RAID1State {
        var state = RAID1State(members: [])
        if let status = try? FileSystem.statusIfPresent(request.md), status.kind == .blockDevice {
            state.arrayDevice = DeviceNumber.split(status.rdev)
            let detail = Command("mdadm", ["--detail", "--export", request.md])
            log("+ \(detail)")
            let result = try runner.run(detail)
            if result.status == 0, let array = RAID1State.ArrayDetail(export: SystemTables.exports(result.output)) {
                state.array = array
                state.arraySignature = try inspector.probeSignature(request.md)
            }
        }
        if state.array == nil {
            for member in members { state.members.append(try inspector.inspect(member)) }
        }
        state.mdadmConf = try readText(request.mdadmConfPath)
        state.fstab = try readText(request.fstabPath)
        state.mounts = SystemTables.mounts(try readText(inspector.mountInfoPath))
        state.systemd = (try? FileSystem.statusIfPresent("/run/systemd/system"))?.kind == .directory
        do {
            if let status = try FileSystem.statusIfPresent(request.mountPoint) {
                guard status.kind == .directory else { throw ProvisionError.usage("\(request.mountPoint) exists and is not a directory") }
                state.mountPointEntries = try FileSystem.directoryNames(request.mountPoint).count
            }
        } catch let error as ProvisionError {
            throw error
        } catch {
            throw .failed("cannot inspect \(request.mountPoint): \(error)")
        }
        return state
    }

    func perform(_ step: RAID1Step, uuid: inout String?) throws(ProvisionError) {
        switch step {
        case .satisfied: return
        case .run(let command): try runner.check(command)
        case .readUUID(let command):
            let value = try runner.check(command).output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !value.isEmpty else { throw .failed("\(command) printed no UUID") }
            uuid = value
        case .recordArray(let scan, let md, let conf):
            let lines = SystemTables.arrayLines(try runner.check(scan).output, device: md, uuid: nil)
            guard !lines.isEmpty else { throw .failed("\(scan) did not list \(md)") }
            for line in lines { log("+ append to \(conf): \(line)") }
            try append(lines, to: conf)
        case .addFstabEntry(let fstab, let known, let mountPoint, let type, let pass):
            guard let value = known ?? uuid else { throw .failed("no UUID for the fstab entry") }
            uuid = value
            try append([RAID1Step.fstabEntry(uuid: value, mountPoint: mountPoint, fileSystem: type, pass: pass)], to: fstab)
        case .makeDirectory(let path):
            do { try FileSystem.makeDirectories(path, mode: 0o755) } catch { throw .failed("cannot create \(path): \(error.reason)") }
        }
    }

    func readText(_ path: String) throws(ProvisionError) -> String {
        do { return try FileSystem.readTextIfPresent(path) ?? "" } catch { throw .failed("cannot read \(path): \(error.reason)") }
    }

    /// Appends lines to a configuration file, keeping its mode (replaced whole, atomically).
    func append(_ lines: [String], to path: String) throws(ProvisionError) {
        var text = try readText(path)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += lines.joined(separator: "\n") + "\n"
        do {
            let mode = try FileSystem.statusIfPresent(path)?.permissions ?? 0o644
            try FileSystem.replaceFile(path, contents: Array(text.utf8), mode: mode)
        } catch {
            throw .failed("cannot write \(path): \(error.reason)")
        }
    }
}
