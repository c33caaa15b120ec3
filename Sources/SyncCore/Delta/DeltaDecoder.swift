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

    /// A piece of a delta as it is read: literal bytes (a slice of the input just fed, valid only
    /// during the callback) or a complete COPY.
    public enum Piece {
        case literal(UnsafeRawBufferPointer, endsCommand: Bool)
        case copy(offset: UInt64, length: UInt64)
    }

    /// Consumes `input`, passing each piece to `body` as soon as it is complete. Literal bytes are
    /// handed over in place, a whole run at a time: no copy and no work per byte.
    /// Throws ``DeltaFormatError`` for a malformed delta, or what `body` throws.
    public mutating func feed(_ input: UnsafeRawBufferPointer, _ body: (Piece) throws -> Void) throws {
        var i = 0
        let count = input.count
        while i < count {
            if case .literal(let remaining) = state {
                let n = min(remaining, count - i)
                position += UInt64(n)
                state = n == remaining ? .command : .literal(remaining: remaining - n)
                try body(.literal(UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]), endsCommand: n == remaining))
                i += n
                continue
            }
            let byte = input[i]
            i += 1
            position += 1
            switch state {
            case .finished:
                // Bytes after END: librsync ignores trailing data, and so do we.
                return
            case .literal:
                preconditionFailure("handled above")
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
            case .copyArguments(let offsetBytes, let lengthBytes):
                pending.append(byte)
                if pending.count == offsetBytes + lengthBytes {
                    let offset = pending[..<offsetBytes].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let length = pending[offsetBytes...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    pending.removeAll()
                    state = .command
                    try body(.copy(offset: offset, length: length))
                }
            }
        }
    }

    /// Consumes `input` and returns the operations completed by it (literals gathered into
    /// pieces of at most ``literalChunk`` bytes).
    public mutating func feed(_ input: some Collection<UInt8>) throws(DeltaFormatError) -> [DeltaOperation] {
        var out: [DeltaOperation] = []
        var literal = self.literal
        let chunk = literalChunk
        do {
            try Array(input).withUnsafeBytes { bytes in
                try feed(bytes) { piece in
                    switch piece {
                    case .copy(let offset, let length):
                        out.append(.copy(offset: offset, length: length))
                    case .literal(var run, let ends):
                        while !run.isEmpty {
                            let n = min(run.count, chunk - literal.count)
                            literal += run[..<n]
                            run = UnsafeRawBufferPointer(rebasing: run[n...])
                            if literal.count == chunk && !(ends && run.isEmpty) {
                                out.append(.literal(literal))
                                literal.removeAll(keepingCapacity: true)
                            }
                        }
                        if ends {
                            out.append(.literal(literal))
                            literal.removeAll(keepingCapacity: true)
                        }
                    }
                }
            }
        } catch let error as DeltaFormatError {
            throw error
        } catch {
            preconditionFailure("only format errors are thrown here")
        }
        self.literal = literal
        return out
    }

    /// Call at the end of the input: a delta must end with END.
    public func finish() throws(DeltaFormatError) {
        guard isFinished else { throw DeltaFormatError(kind: .truncated(offset: position)) }
    }
}
