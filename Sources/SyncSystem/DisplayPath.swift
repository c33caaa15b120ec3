#if canImport(Glibc)
import Glibc
#endif
/// Turns raw file-name bytes into text the way rsync prints them: valid UTF-8 as is, control
/// characters (but tab) and invalid bytes as `\#ooo` (octal), so a name with a newline stays on one
/// line.
public enum DisplayPath {
    public static func escape(_ bytes: [UInt8]) -> String {
        // Fast path: nothing to escape and valid UTF-8.
        var clean = true
        for i in bytes.indices where needsEscape(bytes, at: i) {
            clean = false
            break
        }
        if clean, let s = String(validating: bytes, as: UTF8.self) { return s }
        var out = ""
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if needsEscape(bytes, at: i) {
                out += octal(b); i += 1; continue
            }
            if b < 0x80 { out.unicodeScalars.append(Unicode.Scalar(b)); i += 1; continue }
            let length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
            if length > 1, i + length <= bytes.count,
               let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) {
                out += s
                i += length
            } else {
                out += octal(b)
                i += 1
            }
        }
        return out
    }

    /// rsync's rule (log.c): control characters but tab, and a backslash that starts what
    /// would read as an escape (`\#` and three digits).
    private static func needsEscape(_ bytes: [UInt8], at i: Int) -> Bool {
        let b = bytes[i]
        if b < 0x20 { return b != 0x09 }
        guard b == UInt8(ascii: "\\"), i + 4 < bytes.count, bytes[i + 1] == UInt8(ascii: "#") else { return false }
        return bytes[(i + 2)...(i + 4)].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Joins a relative directory path and a name with `/` ("" is the transfer root).
    @inlinable
    public static func join(_ directory: [UInt8], _ name: [UInt8]) -> [UInt8] {
        if directory.isEmpty { return name }
        var path = directory
        path.reserveCapacity(directory.count + 1 + name.count)
        path.append(UInt8(ascii: "/"))
        path.append(contentsOf: name)
        return path
    }

    private static func octal(_ b: UInt8) -> String {
        let digits = String(b, radix: 8)
        return "\\#" + String(repeating: "0", count: 3 - digits.count) + digits
    }
}

/// Byte-wise ordering of names, the order listings are merged in.
@inlinable
public func compareNames(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    let r = n == 0 ? 0 : a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) }
    }
    if r != 0 || a.count == b.count { return Int(r) }
    return a.count < b.count ? -1 : 1
}
