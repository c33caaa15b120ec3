/// The kernel's and the system's tables that RAID1 set-up reads, parsed from their text (pure,
/// so each format is tested without a machine to match): `/proc/self/mountinfo`, `/proc/swaps`,
/// `/etc/fstab`, `KEY=VALUE` exports (`blkid -o export`, `mdadm --detail --export`) and
/// `mdadm --detail --scan` lines.
public struct MountEntry: Sendable, Equatable {
    public var major: UInt32
    public var minor: UInt32
    public var mountPoint: String
    public var fileSystemType: String
    public var source: String
}

public enum SystemTables {
    /// `/proc/self/mountinfo`: `id parent major:minor root mount-point options [tags] - type source super-options`.
    public static func mounts(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { return nil }
            let numbers = fields[2].split(separator: ":")
            guard numbers.count == 2, let major = UInt32(numbers[0]), let minor = UInt32(numbers[1]) else { return nil }
            return MountEntry(major: major, minor: minor, mountPoint: unescapeOctal(fields[4]), fileSystemType: fields[dash + 1],
                              source: unescapeOctal(fields[dash + 2]))
        }
    }

    /// `/proc/swaps`: the first column of every line after the header.
    public static func swapDevices(_ text: String) -> [String] {
        text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map { unescapeOctal(String($0)) } }
    }

    /// `KEY=VALUE` lines (`blkid -o export`, `mdadm --detail --export`); other lines are ignored.
    public static func exports(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return values
    }

    /// One `/etc/fstab` entry: device, mount point, type, options, dump, pass.
    public struct FstabEntry: Sendable, Equatable {
        public var line: String
        public var device: String
        public var mountPoint: String
    }

    public static func fstab(_ text: String) -> [FstabEntry] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { return nil }
            return FstabEntry(line: String(line), device: String(fields[0]), mountPoint: unescapeOctal(String(fields[1])))
        }
    }

    /// The `ARRAY` lines of `mdadm --detail --scan` (or of an mdadm.conf) that describe the
    /// array `device` or carry its `uuid`.
    public static func arrayLines(_ text: String, device: String, uuid: String?) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            let words = line.split(separator: " ")
            guard words.first == "ARRAY", words.count >= 2 else { return false }
            if words[1] == device { return true }
            guard let uuid else { return false }
            return words.contains { $0.lowercased() == "uuid=\(uuid.lowercased())" }
        }
    }

    /// `\040` and friends, as the kernel and fstab escape spaces, tabs and backslashes.
    static func unescapeOctal(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var i = 0
        while i < source.count {
            if source[i] == UInt8(ascii: "\\"), i + 4 <= source.count,
               let value = UInt8(String(decoding: source[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(source[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
