import SyncCore

/// What a delta decodes to, with literal runs joined: decoding must not depend on how the
/// input was cut into chunks. A literal is kept as its length and a running FNV-1a hash, not its
/// bytes: a compressed delta can expand to megabytes, and copying them run by run would make
/// the harness, not the decoder, the slow part.
struct DecodedDelta: Equatable {
    enum Event: Equatable {
        case literal(count: Int, hash: UInt64)
        case copy(offset: UInt64, length: UInt64)
    }
    static let hashBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    var events: [Event] = []
    var error: String?
    var finished = false

    mutating func take(_ piece: DeltaDecoder.Piece) {
        switch piece {
        case .copy(let offset, let length):
            events.append(.copy(offset: offset, length: length))
        case .literal(let bytes, _):
            var (count, hash) = (0, Self.hashBasis)
            if case .literal(let c, let h)? = events.last {
                (count, hash) = (c, h)
                events.removeLast()
            }
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            events.append(.literal(count: count + bytes.count, hash: hash))
        }
    }
}

/// Decodes `delta` fed in pieces of the given sizes (cycled), as `patch` reads a file.
func decodeDelta(_ delta: UnsafeRawBufferPointer, chunkSizes: [Int]) -> DecodedDelta {
    var decoder = DeltaDecoder()
    var result = DecodedDelta()
    var at = 0, turn = 0
    do {
        while at < delta.count {
            let n = min(delta.count - at, max(1, chunkSizes[turn % chunkSizes.count]))
            turn += 1
            try decoder.feed(UnsafeRawBufferPointer(rebasing: delta[at..<(at + n)])) { result.take($0) }
            at += n
        }
        try decoder.finish()
        result.finished = true
    } catch {
        result.error = "\(error)"
    }
    return result
}

/// `patch` reads a delta from outside: the decoder must reject every malformed one, and read
/// the same operations whether the bytes arrive at once or a few at a time.
public func fuzzDelta(_ data: UnsafeRawBufferPointer) {
    let whole = decodeDelta(data, chunkSizes: [data.count])
    // Cut points taken from the input itself, so the fuzzer explores them too.
    let sizes = data.prefix(4).map { Int($0 % 17) + 1 }
    let pieces = decodeDelta(data, chunkSizes: sizes.isEmpty ? [1] : sizes)
    check(whole == pieces, "a delta decodes differently when fed in pieces of \(sizes) bytes")
}
