import SyncCore

/// `patch` on a compressed delta (`delta --compress`): the zlib stream is inflated piece by
/// piece straight into the decoder (ZlibInflater + DeltaDecoder, as DeltaPatch does). An input
/// that is not a zlib stream is compressed first, so that the fuzzer also reaches well-formed
/// streams of hostile deltas; those must decode exactly as the plain delta does.
public func fuzzCompressedDelta(_ data: UnsafeRawBufferPointer) {
    if ZlibDelta.looksCompressed(data) {
        _ = inflateAndDecode(data, feedSize: 512)
    } else {
        let compressed = ZlibDelta.compress([UInt8](data))
        let inflated = compressed.withUnsafeBytes { inflateAndDecode($0, feedSize: 7) }
        let plain = decodeDelta(data, chunkSizes: [max(1, data.count)])
        check(inflated == plain, "a compressed delta decodes differently from the plain one")
    }
}

private func inflateAndDecode(_ compressed: UnsafeRawBufferPointer, feedSize: Int) -> DecodedDelta {
    let inflater = ZlibInflater()
    var decoder = DeltaDecoder()
    var result = DecodedDelta()
    var inflatedBytes = 0
    do {
        var at = 0
        while at < compressed.count {
            let n = min(feedSize, compressed.count - at)
            try inflater.feed(UnsafeRawBufferPointer(rebasing: compressed[at..<(at + n)])) { plain in
                inflatedBytes += plain.count
                try decoder.feed(plain) { result.take($0) }
            }
            at += n
        }
        try decoder.finish()
        result.finished = true
    } catch {
        result.error = "\(error)"
    }
    _ = inflatedBytes
    return result
}
