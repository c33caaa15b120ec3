/// Reads librsync-format deltas as a streaming state machine: feed it bytes in chunks of any
/// size and take the operations out; no I/O, so every malformed input can be tested directly.
public struct DeltaDecoder: Sendable {
    private enum State: Sendable {
        case magic
        case command
        case literalLength(byteCount: Int)
        case literal(remaining: Int)
        case copyArguments(offsetBytes: Int, lengthBytes: Int)
        case finished
    }

    private var state = State.magic
    private var pending: [UInt8] = []
    private var literal: [UInt8] = []
    /// Bytes consumed so far (for error messages).
    public private(set) var position: UInt64 = 0
    /// Largest literal handed out in one piece: long literals come out in chunks this size.
    public let literalChunk: Int

    public init(literalChunk: Int = 1 << 20) {
        self.literalChunk = max(1, literalChunk)
    }

    /// Whether END was read.
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Consumes `input` and returns the operations completed by it.
    public mutating func feed(_ input: some Collection<UInt8>) throws(DeltaFormatError) -> [DeltaOperation] {
        var out: [DeltaOperation] = []
        var iterator = input.makeIterator()
        while let byte = iterator.next() {
            position += 1
            switch state {
            case .finished:
                // Bytes after END: librsync ignores trailing data, and so do we.
                return out
            case .magic:
                pending.append(byte)
                if pending.count == 4 {
                    let value = pending.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                    pending.removeAll()
                    guard value == DeltaFormat.magic else { throw DeltaFormatError(kind: .badMagic(value)) }
                    state = .command
                }
            case .command:
                switch byte {
                case DeltaFormat.end:
                    state = .finished
                case 1...DeltaFormat.literalInlineMax:
                    state = .literal(remaining: Int(byte))
                case DeltaFormat.literalN1..<DeltaFormat.copyBase:
                    state = .literalLength(byteCount: DeltaFormat.byteCount(sizeIndex: Int(byte - DeltaFormat.literalN1)))
                case DeltaFormat.copyBase...DeltaFormat.copyLast:
                    let code = Int(byte - DeltaFormat.copyBase)
                    state = .copyArguments(offsetBytes: DeltaFormat.byteCount(sizeIndex: code / 4),
                                           lengthBytes: DeltaFormat.byteCount(sizeIndex: code % 4))
                default:
                    throw DeltaFormatError(kind: .unknownCommand(byte, offset: position - 1))
                }
            case .literalLength(let count):
                pending.append(byte)
                if pending.count == count {
                    let length = pending.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    pending.removeAll()
                    guard length > 0, length <= UInt64(Int.max) else {
                        state = .command
                        continue
                    }
                    state = .literal(remaining: Int(length))
                }
            case .literal(let remaining):
                literal.append(byte)
                if remaining == 1 {
                    out.append(.literal(literal))
                    literal.removeAll(keepingCapacity: true)
                    state = .command
                } else {
                    state = .literal(remaining: remaining - 1)
                    if literal.count == literalChunk {
                        out.append(.literal(literal))
                        literal.removeAll(keepingCapacity: true)
                    }
                }
            case .copyArguments(let offsetBytes, let lengthBytes):
                pending.append(byte)
                if pending.count == offsetBytes + lengthBytes {
                    let offset = pending[..<offsetBytes].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let length = pending[offsetBytes...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    pending.removeAll()
                    out.append(.copy(offset: offset, length: length))
                    state = .command
                }
            }
        }
        return out
    }

    /// Call at the end of the input: a delta must end with END.
    public func finish() throws(DeltaFormatError) {
        guard isFinished else { throw DeltaFormatError(kind: .truncated(offset: position)) }
    }
}
