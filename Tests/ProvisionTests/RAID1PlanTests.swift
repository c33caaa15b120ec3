import XCTest
@testable import Provision

/// The planner, pure: each plan checked line by line as `--dry-run` and a real run print it.
final class RAID1PlanTests: XCTestCase {
    func member(_ path: String, minor: UInt32, signature: [String: String] = [:]) -> BlockDeviceFacts {
        var facts = BlockDeviceFacts(path: path, kind: .blockDevice)
        facts.major = 259
        facts.minor = minor
        facts.signature = signature
        return facts
    }

    func request(force: Bool = false, fileSystem: RAID1Request.FileSystemType = .ext4, label: String? = nil, fstab: String = "/etc/fstab")
        throws -> RAID1Request {
        try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "/backups/", fileSystem: fileSystem, label: label, force: force,
                         fstabPath: fstab, mdadmConfPath: "/etc/mdadm/mdadm.conf")
    }

    let members = ["/dev/nvme1n1", "/dev/nvme2n1"]

    func freshState() -> RAID1State {
        var state = RAID1State(members: [member("/dev/nvme1n1", minor: 1), member("/dev/nvme2n1", minor: 2)])
        state.fstab = "UUID=root / ext4 defaults 0 1\n"
        return state
    }

    func testFreshPlan() throws {
        let steps = try RAID1Planner.plan(try request(), resolved: members, state: freshState())
        XCTAssertEqual(steps.map { $0.line(dryRun: true) }, [
            "would run: mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.2 --run /dev/nvme1n1 /dev/nvme2n1",
            "would run: mkfs.ext4 /dev/md0",
            "would run: blkid -s UUID -o value /dev/md0",
            "would run: mdadm --detail --scan, and append its ARRAY line for /dev/md0 to /etc/mdadm/mdadm.conf",
            "would append to /etc/fstab: UUID=<UUID read by blkid> /backups ext4 defaults,nofail 0 2",
            "would run: mkdir -p /backups",
            "would run: mount /backups",
        ])
        XCTAssertEqual(steps.map { $0.line(dryRun: false) }.first, "+ mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.2 --run /dev/nvme1n1 /dev/nvme2n1")
        var underSystemd = freshState()
        underSystemd.systemd = true
        let lines = try RAID1Planner.plan(try request(), resolved: members, state: underSystemd).map { $0.line(dryRun: false) }
        XCTAssertEqual(lines[4...5], ["+ append to /etc/fstab: UUID=<UUID read by blkid> /backups ext4 defaults,nofail 0 2", "+ systemctl daemon-reload"],
                       "systemd rereads fstab before the mount")
    }

    func testXFSWithLabelForceAndAnotherFstab() throws {
        var state = freshState()
        state.members[0].signature = ["TYPE": "ext4", "UUID": "old"]
        state.mountPointEntries = 3
        let steps = try RAID1Planner.plan(try request(force: true, fileSystem: .xfs, label: "backups", fstab: "/tmp/fstab"), resolved: members, state: state)
        XCTAssertEqual(steps.map { $0.line(dryRun: true) }, [
            "would run: wipefs -a /dev/nvme1n1",
            "would run: mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.2 --run --name=backups /dev/nvme1n1 /dev/nvme2n1",
            "would run: mkfs.xfs -f -L backups /dev/md0",
            "would run: blkid -s UUID -o value /dev/md0",
            "would run: mdadm --detail --scan, and append its ARRAY line for /dev/md0 to /etc/mdadm/mdadm.conf",
            "would append to /tmp/fstab: UUID=<UUID read by blkid> /backups xfs defaults,nofail 0 0",
            "would run: mount --fstab /tmp/fstab /backups",
        ])
    }

    func finishedState() -> RAID1State {
        var state = RAID1State(members: [])
        state.array = RAID1State.ArrayDetail(level: "raid1", uuid: "aa:bb:cc:dd", members: members.reversed())
        state.arraySignature = ["TYPE": "ext4", "UUID": "1111-2222"]
        state.arrayDevice = (9, 0)
        state.mdadmConf = "HOMEHOST <system>\nARRAY /dev/md0 metadata=1.2 UUID=aa:bb:cc:dd\n"
        state.fstab = "UUID=1111-2222 /backups ext4 defaults,nofail 0 2\n"
        state.mounts = [MountEntry(major: 9, minor: 0, mountPoint: "/backups", fileSystemType: "ext4", source: "/dev/md0")]
        state.mountPointEntries = 4
        return state
    }

    func testFinishedArrayPlansNothing() throws {
        let steps = try RAID1Planner.plan(try request(), resolved: members, state: finishedState())
        XCTAssertEqual(steps.map { $0.line(dryRun: false) }, [
            "ok: /dev/md0 is already a RAID1 of /dev/nvme1n1 and /dev/nvme2n1",
            "ok: /dev/md0 already has an ext4 filesystem (UUID=1111-2222)",
            "ok: /etc/mdadm/mdadm.conf already lists /dev/md0",
            "ok: /etc/fstab mounts UUID=1111-2222 at /backups",
            "ok: /dev/md0 is mounted at /backups",
        ])
    }

    func testHalfFinishedArrayIsCompleted() throws {
        var state = finishedState()
        state.mounts = []
        state.fstab = ""
        state.mdadmConf = ""
        state.arraySignature = [:]
        state.mountPointEntries = 0
        let steps = try RAID1Planner.plan(try request(), resolved: members, state: state)
        XCTAssertEqual(steps.map { $0.line(dryRun: false) }, [
            "ok: /dev/md0 is already a RAID1 of /dev/nvme1n1 and /dev/nvme2n1",
            "+ mkfs.ext4 /dev/md0",
            "+ blkid -s UUID -o value /dev/md0",
            "+ mdadm --detail --scan",
            "+ append to /etc/fstab: UUID=<UUID read by blkid> /backups ext4 defaults,nofail 0 2",
            "+ mount /backups",
        ])
        state.arraySignature = ["TYPE": "ext4", "UUID": "1111-2222"]
        XCTAssertEqual(try RAID1Planner.plan(try request(), resolved: members, state: state)[3].line(dryRun: false),
                       "+ append to /etc/fstab: UUID=1111-2222 /backups ext4 defaults,nofail 0 2", "known UUID used")
    }

    func testRefusals() throws {
        func refused(_ state: RAID1State, _ request: RAID1Request? = nil, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            XCTAssertThrowsError(try RAID1Planner.plan(try request ?? self.request(), resolved: members, state: state), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
                XCTAssertEqual((error as? ProvisionError)?.kind, .usage, file: file, line: line)
            }
        }
        var state = freshState()
        state.members[1].signature = ["TYPE": "xfs", "UUID": "u-1", "LABEL": "data"]
        try refused(state, nil, "/dev/nvme2n1 has an xfs filesystem (UUID=u-1, LABEL=data); use --force to overwrite it")
        state = freshState()
        state.members[0].signature = ["PTTYPE": "gpt"]
        try refused(state, nil, "/dev/nvme1n1 has a gpt partition table; use --force")
        state = freshState()
        state.members[0].mountPoints = ["/data"]
        try refused(state, try request(force: true), "/dev/nvme1n1 is mounted at /data")
        state = freshState()
        state.members[1].holders = ["md127"]
        try refused(state, try request(force: true), "/dev/nvme2n1 is in use by md127")
        state = freshState()
        state.members[1].minor = 1
        try refused(state, nil, "/dev/nvme1n1 and /dev/nvme2n1 are the same device")
        state = freshState()
        state.members[0].kind = .regular
        try refused(state, nil, "/dev/nvme1n1 is not a block device (it is a regular file)")
        state = freshState()
        state.fstab += "/dev/sdz /backups ext4 defaults 0 0\n"
        try refused(state, nil, "/etc/fstab already mounts something else at /backups: \"/dev/sdz /backups ext4 defaults 0 0\"")
        state = freshState()
        state.mounts = [MountEntry(major: 8, minor: 16, mountPoint: "/backups", fileSystemType: "ext4", source: "/dev/sdb")]
        try refused(state, nil, "/dev/sdb is already mounted at /backups")
        state = freshState()
        state.mountPointEntries = 2
        try refused(state, nil, "/backups is not empty (2 entries would be hidden by the mount); use --force")
        state = finishedState()
        state.array?.members = ["/dev/nvme1n1", "/dev/nvme3n1"]
        try refused(state, nil, "/dev/md0 is already a raid1 array of /dev/nvme1n1, /dev/nvme3n1: choose another --md")
        state = finishedState()
        state.arraySignature = ["TYPE": "xfs", "UUID": "x"]
        try refused(state, nil, "/dev/md0 already holds xfs, not ext4; use --force")
    }

    func testRequestValidation() {
        let cases: [(() throws -> RAID1Request, String)] = [
            ({ try RAID1Request(devices: ["/dev/sdf"], mountPoint: "/b", mdadmConfPath: "/etc/mdadm.conf") }, "exactly two devices"),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdf"], mountPoint: "/b", mdadmConfPath: "/etc/mdadm.conf") }, "names /dev/sdf twice"),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "/", mdadmConfPath: "/etc/mdadm.conf") }, "invalid --mount \"/\""),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "backups", mdadmConfPath: "/etc/mdadm.conf") }, "invalid --mount"),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "/a b", mdadmConfPath: "/etc/mdadm.conf") }, "spaces"),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "/b", md: "/dev/sda", mdadmConfPath: "/etc/mdadm.conf") }, "invalid --md"),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "/b", fileSystem: .xfs, label: "thirteen-char", mdadmConfPath: "/etc/mdadm.conf") },
             "up to 12"),
            ({ try RAID1Request(devices: ["/dev/sdf", "/dev/sdg"], mountPoint: "/b", label: "a b", mdadmConfPath: "/etc/mdadm.conf") }, "invalid --label"),
        ]
        for (make, expected) in cases {
            XCTAssertThrowsError(try make()) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        }
        XCTAssertNoThrow(try RAID1Request(devices: ["/dev/sdf", "vol-0abc"], mountPoint: "/b", md: "/dev/md/backups", mdadmConfPath: "/etc/mdadm.conf"))
    }
}
