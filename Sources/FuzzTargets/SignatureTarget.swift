import SyncCore

/// `delta` reads a signature from outside (it may come from another host): `Signature(parsing:)`
/// must reject every malformed one, and one it accepts must drive the matcher safely.
public func fuzzSignature(_ data: UnsafeRawBufferPointer) {
    let bytes = [UInt8](data)
    guard let signature = try? Signature(parsing: bytes) else { return }

    // What was read is what is written back.
    let again = signature.serialized()
    check(again.count == bytes.count, "signature of \(bytes.count) bytes serialized to \(again.count)")
    check((try? Signature(parsing: again)) == signature, "a serialized signature does not read back the same")
    var total: UInt64 = 0
    for block in 0..<signature.blockCount { total += UInt64(signature.length(ofBlock: block)) }
    check(total == signature.basisSize, "block lengths add up to \(total), not the basis size \(signature.basisSize)")

    // As `delta` uses it: match a new file (the input itself) against it. Every COPY must lie
    // inside the basis the signature describes, and the operations must rebuild the new file's
    // length exactly.
    let operations = data.count <= 1 << 16 ? DeltaMatcher(signature: signature).operations(for: data) : []
    var produced: UInt64 = 0
    for operation in operations {
        if case .copy(let offset, let length) = operation {
            let (end, overflow) = offset.addingReportingOverflow(length)
            check(!overflow && end <= signature.basisSize, "COPY \(offset)+\(length) outside a basis of \(signature.basisSize) bytes")
        }
        produced += operation.outputLength
    }
    check(data.count > 1 << 16 || produced == UInt64(data.count), "operations produce \(produced) bytes for a \(data.count)-byte file")
}
