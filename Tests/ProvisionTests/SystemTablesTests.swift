import XCTest
@testable import Provision

final class SystemTablesTests: XCTestCase {
    func testMountInfo() {
        let text = """
            22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw,discard
            35 22 7:3 / /mnt/with\\040space rw,relatime shared:20 - ext4 /dev/loop3 rw
            36 22 0:5 / /dev rw,nosuid master:2 - devtmpfs udev rw,size=10g
            broken line
            """
        XCTAssertEqual(SystemTables.mounts(text), [
            MountEntry(major: 259, minor: 1, mountPoint: "/", fileSystemType: "ext4", source: "/dev/nvme0n1p1"),
            MountEntry(major: 7, minor: 3, mountPoint: "/mnt/with space", fileSystemType: "ext4", source: "/dev/loop3"),
            MountEntry(major: 0, minor: 5, mountPoint: "/dev", fileSystemType: "devtmpfs", source: "udev"),
        ])
    }

    func testSwapsExportsFstabAndArrayLines() {
        XCTAssertEqual(SystemTables.swapDevices("Filename\tType\tSize\tUsed\tPriority\n/dev/nvme0n1p2 partition 1 0 -2\n/swap\\040file file 1 0 -3\n"),
                       ["/dev/nvme0n1p2", "/swap file"])
        XCTAssertEqual(SystemTables.exports("DEVNAME=/dev/loop3\nUUID=1234-abcd\nTYPE=ext4\nnoise\n=x\n"),
                       ["DEVNAME": "/dev/loop3", "UUID": "1234-abcd", "TYPE": "ext4"])
        let fstab = """
            # /etc/fstab
            UUID=aaaa / ext4 defaults 0 1
              UUID=bbbb\t/backups  ext4 defaults,nofail 0 2

            /dev/sdb /mnt/a\\040b xfs defaults 0 0
            """
        XCTAssertEqual(SystemTables.fstab(fstab).map(\.mountPoint), ["/", "/backups", "/mnt/a b"])
        XCTAssertEqual(SystemTables.fstab(fstab)[1].device, "UUID=bbbb")
        let scan = "ARRAY /dev/md0 metadata=1.2 name=host:backups UUID=3a4b5c6d:11112222:33334444:55556666\nARRAY /dev/md1 metadata=1.2 UUID=ffff:0:0:1\n"
        XCTAssertEqual(SystemTables.arrayLines(scan, device: "/dev/md0", uuid: nil), ["ARRAY /dev/md0 metadata=1.2 name=host:backups UUID=3a4b5c6d:11112222:33334444:55556666"])
        XCTAssertEqual(SystemTables.arrayLines(scan, device: "/dev/md/backups", uuid: "FFFF:0:0:1"), ["ARRAY /dev/md1 metadata=1.2 UUID=ffff:0:0:1"])
        XCTAssertEqual(SystemTables.arrayLines("# ARRAY /dev/md0\nDEVICE partitions\n", device: "/dev/md0", uuid: nil), [])
    }

    func testArrayDetailFromExport() {
        let export = SystemTables.exports("""
            MD_LEVEL=raid1
            MD_DEVICES=2
            MD_METADATA=1.2
            MD_UUID=3a4b5c6d:11112222:33334444:55556666
            MD_DEVICE_dev_nvme2n1_ROLE=1
            MD_DEVICE_dev_nvme2n1_DEV=/dev/nvme2n1
            MD_DEVICE_dev_nvme1n1_ROLE=0
            MD_DEVICE_dev_nvme1n1_DEV=/dev/nvme1n1
            """)
        XCTAssertEqual(RAID1State.ArrayDetail(export: export),
                       RAID1State.ArrayDetail(level: "raid1", uuid: "3a4b5c6d:11112222:33334444:55556666", members: ["/dev/nvme1n1", "/dev/nvme2n1"]))
        XCTAssertNil(RAID1State.ArrayDetail(export: [:]))
    }

    func testDeviceNumbers() {
        XCTAssertTrue(DeviceNumber.split(0x0703) == (7, 3))
        XCTAssertTrue(DeviceNumber.split(0x10300) == (259, 0))  // NVMe: major 259
        XCTAssertTrue(DeviceNumber.split(0x1000_0000) == (0, 0x10000), "minor numbers past 255 (glibc's makedev layout)")
        XCTAssertTrue(DeviceNumber.split(0x0000_1000_0000_0000) == (0x1000, 0), "major numbers past 4095")
        XCTAssertTrue(DeviceNumber.parse("259:12\n")! == (259, 12))
        XCTAssertNil(DeviceNumber.parse("x"))
    }
}
