import CZlib

/// `--compress` for delta files: the whole delta wrapped in one zlib stream (RFC 1950), which
/// `patch` recognises by its header and unwraps while streaming.
public enum ZlibDelta {
    /// Whether `prefix` starts a zlib stream (deflate method, valid header check bits); a
    /// librsync delta starts with 'r' (0x72), which is never a valid zlib header byte here.
    public static func looksCompressed(_ prefix: some Collection<UInt8>) -> Bool {
        guard prefix.count >= 2 else { return false }
        let cmf = prefix[prefix.startIndex], flg = prefix[prefix.index(after: prefix.startIndex)]
        return cmf & 0x0f == 8 && (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0
    }

    /// Compresses `bytes` into one zlib stream.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var bound = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = out.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &bound, src.baseAddress, uLong(src.count), level)
            }
        }
        precondition(status == Z_OK, "compress2 cannot fail with a compressBound-sized buffer")
        out.removeSubrange(Int(bound)...)
        return out
    }
}

/// Streaming zlib compression: feed plain chunks, the compressed stream comes out through
/// `output` in pieces of at most 256 KiB, so memory stays bounded whatever the delta's size.
public final class ZlibDeflater {
    private var stream = z_stream()
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    public init(level: Int32 = 6) {
        let status = deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit failed: \(status)")
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `input`, passing what zlib produces to `output`.
    public func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        try run(flush: Z_NO_FLUSH, output: output)
    }

    /// Ends the stream (the zlib trailer) and passes the last bytes to `output`.
    public func finish(output: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        stream.next_in = nil
        stream.avail_in = 0
        try run(flush: Z_FINISH, output: output)
    }

    private func run(flush: Int32, output: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        while true {
            let (status, produced) = buffer.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = deflate(&stream, flush)
                return (status, out.count - Int(stream.avail_out))
            }
            precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "deflate failed: \(status)")
            if produced > 0 { try buffer.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
            if flush == Z_FINISH ? status == Z_STREAM_END : (stream.avail_in == 0 && produced < buffer.count) { return }
        }
    }
}

/// Streaming zlib decompression: feed compressed chunks, get plain bytes.
public final class ZlibInflater {
    private var stream = z_stream()
    private var ended = false
    private var chunk = [UInt8](repeating: 0, count: 256 * 1024)
    public private(set) var finished = false

    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "corrupt compressed delta (zlib error \(code))" }
    }

    public init() {
        let status = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "inflateInit failed: \(status)")
    }

    deinit { if !ended { inflateEnd(&stream) } }

    /// Inflates `input`, passing the plain bytes to `output` in pieces of at most 256 KiB as
    /// they come: a small input can expand a thousandfold, so nothing is gathered here. Bytes
    /// after the end of the zlib stream are ignored.
    public func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        repeat {
            let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                finished = true
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                throw Failure(code: status)
            }
            if produced > 0 { try chunk.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
            if finished || (status == Z_BUF_ERROR && produced == 0) { return }
        } while stream.avail_in > 0 || stream.avail_out == 0
    }

    /// Inflates `input` into one array (for small inputs and tests; ``feed(_:output:)`` streams).
    public func feed(_ input: UnsafeRawBufferPointer) throws(Failure) -> [UInt8] {
        var plain: [UInt8] = []
        do {
            try feed(input) { plain += $0 }
        } catch let error as Failure {
            throw error
        } catch {
            preconditionFailure("only zlib failures are thrown here")
        }
        return plain
    }
}
