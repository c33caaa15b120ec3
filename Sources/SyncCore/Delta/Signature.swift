import CXXHash
import Dispatch

/// The signature of a basis file: per block, a weak rolling checksum and a strong XXH3-128 sum
/// (truncated to `strongLength` bytes).
///
/// File format (ours, all integers big-endian): magic `SSG1` (0x53534731), u32 block length,
/// u8 strong length (1...16), u8 weak algorithm (1 = rsync rolling sum), u8 strong algorithm
/// (1 = XXH3-128), u8 reserved (0), u64 basis size; then per block a u32 weak sum and the strong
/// bytes. The last block may be shorter than the block length.
public struct Signature: Sendable, Equatable {
    public static let magic: UInt32 = 0x5353_4731
    public static let weakAlgorithm: UInt8 = 1
    public static let strongAlgorithm: UInt8 = 1
    static let headerSize = 20
    /// The largest block length a signature may declare (the `signature` command's bound too).
    public static let maximumBlockLength = 1 << 30

    public let blockLength: Int
    public let strongLength: Int
    public let basisSize: UInt64
    public private(set) var weak: [UInt32] = []
    /// `strongLength` bytes per block, back to back.
    public private(set) var strong: [UInt8] = []

    public var blockCount: Int { weak.count }

    /// rsync's choice: about √size, a multiple of 8, between 700 bytes and 128 KiB.
    public static func defaultBlockLength(forSize size: UInt64) -> Int {
        let root = Int(Double(size).squareRoot())
        return min(128 * 1024, max(700, root & ~7))
    }

    public init(blockLength: Int, strongLength: Int, basisSize: UInt64) {
        self.blockLength = blockLength
        self.strongLength = strongLength
        self.basisSize = basisSize
    }

    /// Builds the signature of `basis`; files of 16 MiB and more are summed on `parallelism`
    /// threads (each takes a contiguous run of blocks).
    public init(of basis: UnsafeRawBufferPointer, blockLength: Int? = nil, strongLength: Int = 16, parallelism: Int = 1) {
        let length = blockLength ?? Self.defaultBlockLength(forSize: UInt64(basis.count))
        self.init(blockLength: length, strongLength: strongLength, basisSize: UInt64(basis.count))
        let count = basis.count == 0 ? 0 : (basis.count - 1) / length + 1
        weak = [UInt32](repeating: 0, count: count)
        strong = [UInt8](repeating: 0, count: count * strongLength)
        let threads = basis.count >= DeltaMatcher.parallelThreshold ? max(1, min(parallelism, count)) : 1
        let perThread = (count + threads - 1) / max(1, threads)
        weak.withUnsafeMutableBufferPointer { weakOut in
            strong.withUnsafeMutableBufferPointer { strongOut in
                let weakOut = UnsafeSendable(weakOut), strongOut = UnsafeSendable(strongOut), basis = UnsafeSendable(basis)
                let body: @Sendable (Int) -> Void = { thread in
                    for i in (thread * perThread)..<min(count, (thread + 1) * perThread) {
                        let offset = i * length
                        let block = UnsafeRawBufferPointer(rebasing: basis.value[offset..<min(basis.value.count, offset + length)])
                        weakOut.value[i] = RollingChecksum(block).value
                        let sum = Self.strongSum(block)
                        for j in 0..<strongLength { strongOut.value[i * strongLength + j] = Self.strongByte(sum, j) }
                    }
                }
                if threads == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: body) }
            }
        }
    }

    mutating func appendStrong(_ sum: (UInt64, UInt64)) {
        for i in 0..<strongLength { strong.append(Self.strongByte(sum, i)) }
    }

    /// Byte `i` of the big-endian 16-byte strong sum (high word first); truncation keeps the first bytes.
    @inline(__always)
    static func strongByte(_ sum: (UInt64, UInt64), _ i: Int) -> UInt8 {
        let word = i < 8 ? sum.0 : sum.1
        return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (i & 7)))
    }

    /// XXH3-128 of a block, as (high, low).
    @inlinable
    static func strongSum(_ block: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        let h = XXH3_128bits(block.baseAddress, block.count)
        return (h.high64, h.low64)
    }

    /// Whether block `index`'s strong sum equals the (truncated) sum `sum`.
    func strongMatches(_ index: Int, _ sum: (UInt64, UInt64)) -> Bool {
        let start = index * strongLength
        for i in 0..<strongLength where strong[start + i] != Self.strongByte(sum, i) { return false }
        return true
    }

    /// Length of block `index` (the last one may be short).
    public func length(ofBlock index: Int) -> Int {
        index == blockCount - 1 ? Int(basisSize) - index * blockLength : blockLength
    }

    // MARK: File format

    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSize + weak.count * (4 + strongLength))
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        put(Self.magic)
        put(UInt32(blockLength))
        out += [UInt8(strongLength), Self.weakAlgorithm, Self.strongAlgorithm, 0]
        put(basisSize)
        for i in 0..<weak.count {
            put(weak[i])
            out += strong[(i * strongLength)..<((i + 1) * strongLength)]
        }
        return out
    }

    public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
        public let reason: String
        public var description: String { reason }
    }

    public init(parsing bytes: [UInt8]) throws(FormatError) {
        guard bytes.count >= Self.headerSize else {
            throw FormatError(reason: "truncated signature: \(bytes.count) bytes is shorter than the \(Self.headerSize)-byte header")
        }
        func get<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            bytes[at..<(at + MemoryLayout<T>.size)].reduce(T(0)) { $0 << 8 | T($1) }
        }
        let magic = get(0, UInt32.self)
        guard magic == Self.magic else {
            throw FormatError(reason: "not a swiftsync signature: magic 0x\(String(magic, radix: 16)) is not 0x53534731")
        }
        let blockLength = Int(get(4, UInt32.self))
        let strongLength = Int(bytes[8])
        guard bytes[9] == Self.weakAlgorithm, bytes[10] == Self.strongAlgorithm else {
            throw FormatError(reason: "unsupported signature algorithms \(bytes[9])/\(bytes[10])")
        }
        guard (1...Self.maximumBlockLength).contains(blockLength), (1...16).contains(strongLength) else {
            throw FormatError(reason: "corrupt signature header: block length \(blockLength), strong length \(strongLength)")
        }
        // Every header field is checked against the others and the file's size before anything
        // is allocated or multiplied: a hostile header must not overflow or ask for memory.
        let basisSize = get(12, UInt64.self)
        let expectedBlocks = basisSize == 0 ? 0 : (basisSize - 1) / UInt64(blockLength) + 1
        let record = 4 + strongLength
        let present = UInt64(bytes.count - Self.headerSize)
        let (expectedBytes, overflow) = expectedBlocks.multipliedReportingOverflow(by: UInt64(record))
        guard !overflow, basisSize <= UInt64(Int64.max), present == expectedBytes else {
            let expected = overflow ? "\(expectedBlocks) blocks of \(record) bytes" : "\(expectedBytes)"
            throw FormatError(reason: "truncated or corrupt signature: \(present) bytes of block sums for a basis of \(basisSize) bytes, expected \(expected)")
        }
        self.init(blockLength: blockLength, strongLength: strongLength, basisSize: basisSize)
        var at = Self.headerSize
        for _ in 0..<Int(expectedBlocks) {
            weak.append(get(at, UInt32.self))
            strong += bytes[(at + 4)..<(at + record)]
            at += record
        }
    }
}
