/// Finds the blocks of a basis (known by its ``Signature``) in a new file and produces the
/// delta: COPY for every block found (adjacent copies merged), LITERAL for the bytes between.
/// A whole block is skipped after a match; the weak sum rolls one byte at a time otherwise and
/// the strong sum is computed only when the weak one hits.
public struct DeltaMatcher {
    public let signature: Signature
    private var table: [UInt32: [Int32]] = [:]
    /// One bit per bucket of weak sums: most offsets of a changed region miss here, before the
    /// (much slower) dictionary lookup.
    private var filter = [UInt64](repeating: 0, count: DeltaMatcher.filterBits / 64)
    private static let filterBits = 1 << 20

    @inline(__always)
    private static func bucket(_ weak: UInt32) -> Int { Int((weak ^ (weak >> 13) &* 0x9E37_79B1) & UInt32(filterBits - 1)) }

    public init(signature: Signature) {
        self.signature = signature
        let full = signature.basisSize % UInt64(max(1, signature.blockLength)) == 0 ? signature.blockCount : signature.blockCount - 1
        table.reserveCapacity(full)
        for i in 0..<max(0, full) {
            let weak = signature.weak[i]
            table[weak, default: []].append(Int32(i))
            let b = Self.bucket(weak)
            filter[b >> 6] |= 1 << UInt64(b & 63)
        }
    }

    /// The operations that rebuild `new` from the basis.
    public func operations(for new: UnsafeRawBufferPointer) -> [DeltaOperation] {
        var ops: [DeltaOperation] = []
        let size = new.count
        let blockLength = signature.blockLength
        var literalStart = 0
        var position = 0
        func emitLiteral(upTo end: Int) {
            if end > literalStart { ops.append(.literal(Array(new[literalStart..<end]))) }
        }
        func emitCopy(_ offset: UInt64, _ length: UInt64) {
            if case .copy(let o, let l)? = ops.last, o + l == offset {
                ops[ops.count - 1] = .copy(offset: o, length: l + length)
            } else {
                ops.append(.copy(offset: offset, length: length))
            }
        }
        if !table.isEmpty && size >= blockLength {
            var sum = RollingChecksum(UnsafeRawBufferPointer(rebasing: new[0..<blockLength]))
            while position + blockLength <= size {
                let value = sum.value
                let b = Self.bucket(value)
                if filter[b >> 6] & (1 << UInt64(b & 63)) != 0, let candidates = table[value] {
                    let window = UnsafeRawBufferPointer(rebasing: new[position..<(position + blockLength)])
                    let strong = Signature.strongSum(window)
                    if let index = candidates.first(where: { signature.strongMatches(Int($0), strong) }) {
                        emitLiteral(upTo: position)
                        emitCopy(UInt64(index) * UInt64(blockLength), UInt64(blockLength))
                        position += blockLength
                        literalStart = position
                        if position + blockLength <= size {
                            sum = RollingChecksum(UnsafeRawBufferPointer(rebasing: new[position..<(position + blockLength)]))
                        }
                        continue
                    }
                }
                if position + blockLength < size { sum.roll(out: new[position], in: new[position + blockLength]) }
                position += 1
            }
        }
        // The basis's short last block can only match the very end of the new file.
        let lastIndex = signature.blockCount - 1
        if lastIndex >= 0 {
            let lastLength = signature.length(ofBlock: lastIndex)
            if lastLength < blockLength, size - literalStart >= lastLength {
                let tail = UnsafeRawBufferPointer(rebasing: new[(size - lastLength)..<size])
                if RollingChecksum(tail).value == signature.weak[lastIndex],
                   signature.strongMatches(lastIndex, Signature.strongSum(tail)) {
                    emitLiteral(upTo: size - lastLength)
                    emitCopy(UInt64(lastIndex) * UInt64(blockLength), UInt64(lastLength))
                    literalStart = size
                }
            }
        }
        emitLiteral(upTo: size)
        return ops
    }
}
