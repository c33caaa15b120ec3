/// One instruction of a delta: copy a range of the basis file, or insert literal bytes.
public enum DeltaOperation: Sendable, Equatable {
    case copy(offset: UInt64, length: UInt64)
    case literal([UInt8])

    /// The bytes this operation adds to the new file.
    public var outputLength: UInt64 {
        switch self {
        case .copy(_, let length): length
        case .literal(let bytes): UInt64(bytes.count)
        }
    }
}

/// librsync's delta file format ("rs\x026"), which `rdiff patch` reads and `rdiff delta` writes.
///
/// After the 4-byte magic, a stream of commands, integers big-endian:
/// `0x00` END; `0x01...0x40` LITERAL of that many bytes; `0x41...0x44` LITERAL with a 1/2/4/8-byte
/// length; `0x45...0x54` COPY with a 1/2/4/8-byte offset and a 1/2/4/8-byte length
/// (`0x45 + 4 * offsetSizeIndex + lengthSizeIndex`).
public enum DeltaFormat {
    public static let magic: UInt32 = 0x7273_0236
    static let end: UInt8 = 0x00
    static let literalInlineMax: UInt8 = 0x40
    static let literalN1: UInt8 = 0x41
    static let copyBase: UInt8 = 0x45
    static let copyLast: UInt8 = 0x54

    /// Index 0...3 of the smallest of 1/2/4/8 bytes that holds `value`.
    static func sizeIndex(_ value: UInt64) -> Int {
        if value <= 0xff { return 0 }
        if value <= 0xffff { return 1 }
        if value <= 0xffff_ffff { return 2 }
        return 3
    }

    static func byteCount(sizeIndex: Int) -> Int { 1 << sizeIndex }
}

/// A delta file that cannot be read: bad magic, an unknown command, or a truncated stream.
public struct DeltaFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case badMagic(UInt32)
        case unknownCommand(UInt8, offset: UInt64)
        case truncated(offset: UInt64)
        case copyOutsideBasis(offset: UInt64, length: UInt64, basisSize: UInt64)
        case corruptCompression(String)
    }

    public let kind: Kind

    public var description: String {
        switch kind {
        case .badMagic(let m):
            "not a delta file: magic 0x\(String(m, radix: 16)) is not librsync's 0x72730236"
        case .unknownCommand(let c, let offset):
            "corrupt delta: unknown command 0x\(String(c, radix: 16)) at byte \(offset)"
        case .truncated(let offset):
            "truncated delta: the file ends at byte \(offset) inside a command (or before END)"
        case .corruptCompression(let reason):
            reason
        case .copyOutsideBasis(let offset, let length, let size):
            "corrupt delta: COPY of \(length) bytes at offset \(offset) reaches past the basis file (\(size) bytes)"
        }
    }
}
