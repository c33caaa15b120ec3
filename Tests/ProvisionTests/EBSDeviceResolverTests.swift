import XCTest
import SyncCore
@testable import Provision
import SyncSystem

/// Nitro name resolution against a fake /dev tree.
final class EBSDeviceResolverTests: XCTestCase {
    func testResolvesVolumeIDsEBSNamesAndLinks() throws {
        let root = try TemporaryDirectory()
        try FileSystem.makeDirectories(root.path + "/dev/disk/by-id", mode: 0o755)
        for device in ["nvme0n1", "nvme1n1", "nvme1n1p1", "nvme2n1", "nvme3n1"] {
            try FileSystem.replaceFile(root.path + "/dev/" + device, contents: [], mode: 0o600)
        }
        func link(_ name: String, _ target: String) throws {
            let path = root.path + name
            try FileSystem.makeSymlink(Array(path.utf8), in: FileSystem.currentDirectory, target: Array(target.utf8), path: path)
        }
        try link("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0aaa1111", "../../nvme0n1")
        try link("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc2222", "../../nvme1n1")
        try link("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc2222-part1", "../../nvme1n1p1")
        try link("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0def3333_1", "../../nvme2n1")
        try link("/dev/disk/by-id/nvme-nvme.1d0f-766f6c3064656633333333-416d617a6f6e-00000001", "../../nvme2n1")
        try link("/dev/sdh", "nvme3n1")  // amazon-ec2-utils' udev rule makes such links
        let prefix = root.path
        let resolver = EBSDeviceResolver(root: root.path) { path in
            switch path {
            case prefix + "/dev/nvme0n1": "/dev/xvda"
            case prefix + "/dev/nvme1n1": "sdf"
            case prefix + "/dev/nvme2n1": "/dev/sdg"
            default: nil
            }
        }
        XCTAssertEqual(resolver.ebsDevices().map(\.volumeID), ["vol-0aaa1111", "vol-0abc2222", "vol-0def3333"])
        XCTAssertEqual(try resolver.resolve("vol-0abc2222"), ResolvedDevice(given: "vol-0abc2222", path: "/dev/nvme1n1", volumeID: "vol-0abc2222"))
        XCTAssertEqual(try resolver.resolve("/dev/sdf"), ResolvedDevice(given: "/dev/sdf", path: "/dev/nvme1n1", volumeID: "vol-0abc2222"))
        XCTAssertEqual(try resolver.resolve("/dev/xvdg"), ResolvedDevice(given: "/dev/xvdg", path: "/dev/nvme2n1", volumeID: "vol-0def3333"))
        XCTAssertEqual(try resolver.resolve("/dev/sdh"), ResolvedDevice(given: "/dev/sdh", path: "/dev/nvme3n1", volumeID: nil))
        XCTAssertEqual(try resolver.resolve("/dev/nvme2n1"), ResolvedDevice(given: "/dev/nvme2n1", path: "/dev/nvme2n1", volumeID: "vol-0def3333"))
        XCTAssertThrowsError(try resolver.resolve("/dev/sdz")) { XCTAssertTrue("\($0)".contains("no NVMe EBS device says it was attached as /dev/sdz"), "\($0)") }
        XCTAssertThrowsError(try resolver.resolve("vol-0999")) { XCTAssertTrue("\($0)".contains("no NVMe device for vol-0999"), "\($0)") }
        XCTAssertThrowsError(try resolver.resolve("sdf")) { XCTAssertTrue("\($0)".contains("invalid device \"sdf\""), "\($0)") }
        XCTAssertThrowsError(try resolver.resolve("/dev/nvme9n1")) { XCTAssertEqual("\($0)", "/dev/nvme9n1 does not exist") }
    }

    func testIdentifyControllerData() {
        func identify(serial: String, model: String, device: String) -> [UInt8] {
            var data = [UInt8](repeating: 0, count: 4096)
            func put(_ text: String, at offset: Int, width: Int) {
                let padded = Array(text.utf8) + [UInt8](repeating: 0x20, count: width - text.utf8.count)
                data.replaceSubrange(offset..<(offset + width), with: padded)
            }
            put(serial, at: 4, width: 20)
            put(model, at: 24, width: 40)
            put(device, at: 3072, width: 32)
            return data
        }
        XCTAssertEqual(NVMeIdentify.ebsAttachment(from: identify(serial: "vol0abc1234567890def", model: "Amazon Elastic Block Store", device: "sdf")),
                       NVMeIdentify.EBSAttachment(volumeID: "vol-0abc1234567890def", deviceName: "/dev/sdf"))
        XCTAssertEqual(NVMeIdentify.ebsAttachment(from: identify(serial: "vol0abc", model: "Amazon Elastic Block Store", device: "/dev/xvdf"))?.deviceName,
                       "/dev/xvdf")
        XCTAssertNil(NVMeIdentify.ebsAttachment(from: identify(serial: "AWS1234", model: "Amazon EC2 NVMe Instance Storage", device: "")))
        XCTAssertNil(NVMeIdentify.ebsAttachment(from: [UInt8](repeating: 0, count: 100)))
        XCTAssertNil(NVMeIdentify.ebsAttachmentName("/dev/null"), "a device that does not answer the ioctl names nothing")
    }
}
