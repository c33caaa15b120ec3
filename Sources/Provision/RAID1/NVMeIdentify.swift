#if canImport(Glibc)
import Glibc
#endif
import SyncCore
import SyncSystem

/// The NVMe "identify controller" data of an EBS volume on a Nitro instance: the serial number
/// is the volume id without its dash (`vol0abc…`) and the vendor-specific area (from byte 3072)
/// holds the device name it was attached as (`sdf` or `/dev/sdf`) — what amazon-ec2-utils'
/// `ebsnvme-id` reads to make the `/dev/sdf` links.
public enum NVMeIdentify {
    public struct EBSAttachment: Sendable, Equatable {
        public var volumeID: String
        public var deviceName: String
    }

    static let identifySize = 4096

    /// Reads the EBS fields from identify data; nil when it is not an EBS volume's.
    public static func ebsAttachment(from data: [UInt8]) -> EBSAttachment? {
        guard data.count >= 3104 else { return nil }
        func text(_ range: Range<Int>) -> String {
            let bytes = data[range].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " ")
        }
        guard text(24..<64) == "Amazon Elastic Block Store" else { return nil }
        let serial = text(4..<24)
        guard serial.hasPrefix("vol"), !serial.hasPrefix("vol-") else { return nil }
        var name = text(3072..<3104)
        if name.hasPrefix("/dev/") { name.removeFirst(5) }
        guard !name.isEmpty else { return nil }
        return EBSAttachment(volumeID: "vol-" + serial.dropFirst(3), deviceName: "/dev/" + name)
    }

    /// The device name the EBS volume at `devicePath` was attached as, from the controller
    /// (`NVME_IOCTL_ADMIN_CMD`, Identify with CNS 1); nil for anything that does not answer so.
    @Sendable public static func ebsAttachmentName(_ devicePath: String) -> String? {
        guard let data = try? identifyController(devicePath) else { return nil }
        return ebsAttachment(from: data)?.deviceName
    }

    /// `struct nvme_admin_cmd` (72 bytes): opcode 0x06 (Identify), the buffer's address at
    /// byte 24, its length at 36, CNS 1 (controller) in cdw10 at byte 40.
    static func identifyController(_ devicePath: String) throws(FileSystemError) -> [UInt8] {
        let fd = try FileSystem.openForReadingFollowingLinks(devicePath)
        defer { FileSystem.close(fd) }
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: identifySize, alignment: 4096)
        defer { data.deallocate() }
        data.initializeMemory(as: UInt8.self, repeating: 0)
        let command = UnsafeMutableRawBufferPointer.allocate(byteCount: 72, alignment: 8)
        defer { command.deallocate() }
        command.initializeMemory(as: UInt8.self, repeating: 0)
        command.storeBytes(of: 0x06, toByteOffset: 0, as: UInt8.self)
        command.storeBytes(of: UInt64(UInt(bitPattern: data.baseAddress!)).littleEndian, toByteOffset: 24, as: UInt64.self)
        command.storeBytes(of: UInt32(identifySize).littleEndian, toByteOffset: 36, as: UInt32.self)
        command.storeBytes(of: UInt32(1).littleEndian, toByteOffset: 40, as: UInt32.self)
        let requestIdentifyAdmin: UInt = 0xC048_4E41  // _IOWR('N', 0x41, struct nvme_admin_cmd)
        try FileSystem.deviceControl(fd, request: requestIdentifyAdmin, argument: command.baseAddress!, operation: "NVMe identify", path: devicePath)
        return Array(data)
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
