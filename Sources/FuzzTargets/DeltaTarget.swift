import SyncCore

/// What a delta decodes to, with literal runs joined: decoding must not depend on how the
/// input was cut into chunks.
struct DecodedDelta: Equatable {
    enum Event: Equatable {
        case literal([UInt8])
        case copy(offset: UInt64, length: UInt64)
    }
    var events: [Event] = []
    var error: String?
    var finished = false

    mutating func take(_ piece: DeltaDecoder.Piece) {
        switch piece {
        case .copy(let offset, let length):
            events.append(.copy(offset: offset, length: length))
        case .literal(let bytes, _):
            if case .literal(let run)? = events.last {
                events[events.count - 1] = .literal(run + bytes)
            } else {
                events.append(.literal([UInt8](bytes)))
            }
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
