/// Writes delta operations in librsync's format (see ``DeltaFormat``), so `rdiff patch` can
/// apply them. Adjacent literals are passed through as given; callers merge them.
public struct DeltaEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {
        append(DeltaFormat.magic, size: 4)
    }

    public mutating func append(_ operation: DeltaOperation) {
        switch operation {
        case .literal(let data):
            appendLiteralHeader(count: data.count)
            bytes.append(contentsOf: data)
        case .copy(let offset, let length):
            guard length > 0 else { return }
            let o = DeltaFormat.sizeIndex(offset), l = DeltaFormat.sizeIndex(length)
            bytes.append(DeltaFormat.copyBase + UInt8(4 * o + l))
            append(offset, size: DeltaFormat.byteCount(sizeIndex: o))
            append(length, size: DeltaFormat.byteCount(sizeIndex: l))
        }
    }

    /// Appends the command that announces `count` literal bytes; the caller sends the bytes
    /// (so large literals go from the mapped file to the output without a copy here).
    public mutating func appendLiteralHeader(count: Int) {
        guard count > 0 else { return }
        if count <= Int(DeltaFormat.literalInlineMax) {
            bytes.append(UInt8(count))
        } else {
            let index = DeltaFormat.sizeIndex(UInt64(count))
            bytes.append(DeltaFormat.literalN1 + UInt8(index))
            append(UInt64(count), size: DeltaFormat.byteCount(sizeIndex: index))
        }
    }

    /// Hands over the bytes encoded so far and starts an empty buffer (streaming output).
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    /// Appends END; the result is a complete delta file.
    public mutating func finish() -> [UInt8] {
        bytes.append(DeltaFormat.end)
        return bytes
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T, size: Int) {
        for shift in stride(from: (size - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: UInt64(value) >> UInt64(shift)))
        }
    }
}
