import XCTest
import SyncCore
@testable import Provision
import SyncSystem

/// RAID1 preflight and the filesystem steps on real loop devices. This kernel has no md
/// driver, so mdadm's answers are scripted; mkfs, blkid and mount run for real, on a loop
/// device standing in for /dev/md0.
final class RAID1LoopDeviceTests: XCTestCase {
    func inspector() -> BlockDeviceInspector { BlockDeviceInspector(runner: SystemCommandRunner(), log: .silent) }

    func testPreflightOnLoopDevices() throws {
        let clean = try LoopDevice()
        let facts = try inspector().inspect(clean.path)
        XCTAssertEqual(facts.kind, .blockDevice)
        XCTAssertEqual(facts.major, 7, "loop devices are major 7")
        XCTAssertEqual(facts.signature, [:])
        XCTAssertNil(facts.problem(force: false))

        let used = try LoopDevice()
        try LoopDevice.sh("mkfs.ext4", ["-q", "-L", "old-data", used.path])
        let found = try inspector().inspect(used.path)
        XCTAssertEqual(found.signature["TYPE"], "ext4")
        let uuid = try LoopDevice.sh("blkid", ["-p", "-s", "UUID", "-o", "value", used.path])
        XCTAssertEqual(found.problem(force: false), "\(used.path) has an ext4 filesystem (UUID=\(uuid), LABEL=old-data); use --force to overwrite it")
        XCTAssertNil(found.problem(force: true))

        let directory = try TemporaryDirectory()
        try LoopDevice.sh("mount", [used.path, directory.path])
        defer { _ = try? LoopDevice.sh("umount", [directory.path]) }
        let mounted = try inspector().inspect(used.path)
        XCTAssertEqual(mounted.problem(force: true), "\(used.path) is mounted at \(directory.path)")
        XCTAssertTrue(mounted.isBusy, "the kernel refuses an exclusive open of a mounted device")

        let notADevice = try inspector().inspect(clean.image)
        XCTAssertEqual(notADevice.problem(force: true), "\(clean.image) is not a block device (it is a regular file)")
        XCTAssertEqual(try inspector().inspect("/dev/nonexistent-swiftsync").problem(force: true), "/dev/nonexistent-swiftsync does not exist")
    }

    func testBuildRunsMkfsBlkidFstabAndMountForReal() throws {
        let first = try LoopDevice(), second = try LoopDevice(), standIn = try LoopDevice()
        let directory = try TemporaryDirectory()
        let mountPoint = directory.path + "/backups"
        let fstab = directory.path + "/fstab", conf = directory.path + "/mdadm.conf"
        try FileSystem.replaceFile(fstab, contents: Array("# static file system information\n".utf8), mode: 0o644)
        let arrayLine = "ARRAY /dev/md0 metadata=1.2 name=test:backups UUID=3a4b5c6d:11112222:33334444:55556666"
        let events = LineCollector()
        let runner = RecordingCommandRunner(renames: ["/dev/md0": standIn.path], observer: events.log, passThrough: { $0.program != "mdadm" }) { command in
            command.arguments == ["--detail", "--scan"] ? CommandResult(output: arrayLine + "\n") : nil
        }
        let request = try RAID1Request(devices: [first.path, second.path], mountPoint: mountPoint, label: "backups", fstabPath: fstab, mdadmConfPath: conf)
        let outcome = try RAID1Builder(request: request, runner: runner, log: events.log).run()
        defer { _ = try? LoopDevice.sh("umount", [mountPoint]) }

        let uuid = try LoopDevice.sh("blkid", ["-p", "-s", "UUID", "-o", "value", standIn.path])
        XCTAssertEqual(outcome, .built(uuid: uuid))
        XCTAssertEqual(runner.lines, [
            "blkid -p -o export \(first.path)",
            "blkid -p -o export \(second.path)",
            "mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.2 --run --name=backups \(first.path) \(second.path)",
            "mkfs.ext4 -L backups /dev/md0",
            "blkid -s UUID -o value /dev/md0",
            "mdadm --detail --scan",
            "mount --fstab \(fstab) \(mountPoint)",
        ])
        // Every command was printed just before it ran.
        for (index, event) in events.lines.enumerated() where event.hasPrefix("ran: ") {
            XCTAssertEqual(events.lines[index - 1], "+ " + event.dropFirst("ran: ".count), "printed before it ran")
        }
        XCTAssertTrue(events.lines.contains("+ append to \(conf): \(arrayLine)"))
        XCTAssertEqual(events.lines.last, "done: /dev/md0 (RAID1 of \(first.path) and \(second.path)) with ext4 UUID=\(uuid), mounted at \(mountPoint)")
        XCTAssertEqual(try LoopDevice.sh("blkid", ["-p", "-s", "LABEL", "-o", "value", standIn.path]), "backups")
        XCTAssertEqual(try FileSystem.readTextIfPresent(fstab),
                       "# static file system information\nUUID=\(uuid) \(mountPoint) ext4 defaults,nofail 0 2\n")
        XCTAssertEqual(try FileSystem.readTextIfPresent(conf), arrayLine + "\n")
        XCTAssertEqual(try LoopDevice.sh("findmnt", ["-n", "-o", "SOURCE", "--mountpoint", mountPoint]), standIn.path,
                       "the fstab line mounted the filesystem by its UUID")
    }

    func testDryRunChangesNothingAndMissingToolsAreNamed() throws {
        let first = try LoopDevice(), second = try LoopDevice()
        let directory = try TemporaryDirectory()
        let fstab = directory.path + "/fstab"
        let request = try RAID1Request(devices: [first.path, second.path], mountPoint: directory.path + "/b", dryRun: true, fstabPath: fstab,
                                       mdadmConfPath: directory.path + "/mdadm.conf")
        let runner = RecordingCommandRunner(passThrough: { $0.program == "blkid" })
        let lines = LineCollector()
        XCTAssertEqual(try RAID1Builder(request: request, runner: runner, log: lines.log).run(), .planned)
        XCTAssertEqual(runner.lines, ["blkid -p -o export \(first.path)", "blkid -p -o export \(second.path)"], "only read-only probes ran")
        XCTAssertEqual(lines.lines.first, "+ blkid -p -o export \(first.path)")
        XCTAssertEqual(lines.lines.last, "dry run: nothing was changed")
        XCTAssertNil(try FileSystem.statusIfPresent(fstab))
        XCTAssertNil(try FileSystem.statusIfPresent(directory.path + "/b"))

        let noMdadm = RecordingCommandRunner(missing: ["mdadm"])
        XCTAssertThrowsError(try RAID1Builder(request: request, runner: noMdadm, log: .silent).run()) {
            XCTAssertEqual("\($0)", "mdadm is not installed (apt-get install mdadm)")
        }
        XCTAssertEqual(noMdadm.lines, [], "nothing runs before the tools are there")
    }
}
