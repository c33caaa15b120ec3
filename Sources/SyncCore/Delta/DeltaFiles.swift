#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The file-level `signature` and `delta` commands (`rdiff signature`/`rdiff delta` with our
/// signature format and librsync's delta format). Inputs are mapped, not read into memory;
/// outputs get their name only when complete (`-` means stdin/stdout).
public enum DeltaFiles {
    public enum Failure: Error, CustomStringConvertible {
        case file(FileSystemError)
        case signatureFormat(Signature.FormatError, path: String)

        public var description: String {
            switch self {
            case .file(let e): "\(e)"
            case .signatureFormat(let e, let path): "\(path): \(e)"
            }
        }
    }

    public struct Statistics: Sendable, Equatable {
        public var literalBytes: UInt64 = 0
        public var matchedBytes: UInt64 = 0

        public init(literalBytes: UInt64 = 0, matchedBytes: UInt64 = 0) {
            self.literalBytes = literalBytes
            self.matchedBytes = matchedBytes
        }
    }

    /// Writes the signature of `basisPath` to `signaturePath`.
    public static func signature(basisPath: String, signaturePath: String, blockLength: Int?, strongLength: Int) throws(Failure) {
        do {
            try withMappedInput(basisPath) { basis, checkIntact in
                let bytes = Signature(of: basis, blockLength: blockLength, strongLength: strongLength,
                                      parallelism: DeltaMatcher.defaultParallelism).serialized()
                try checkIntact()
                try writeOutput(signaturePath, bytes)
            }
        } catch let error as FileSystemError {
            throw .file(error)
        } catch {
            throw .file(FileSystemError(operation: "signature", path: signaturePath, errno: EIO))
        }
    }

    /// Writes the delta that turns the basis described by `signaturePath` into `newPath`.
    /// With `compress`, the delta is wrapped in a zlib stream (`patch` unwraps it).
    public static func delta(signaturePath: String, newPath: String, deltaPath: String, compress: Bool = false) throws(Failure) -> Statistics {
        do {
            let signature: Signature
            do {
                signature = try Signature(parsing: try readInput(signaturePath))
            } catch let error as Signature.FormatError {
                throw Failure.signatureFormat(error, path: signaturePath)
            }
            return try withMappedInput(newPath) { new, checkIntact in
                let segments = DeltaMatcher(signature: signature).segments(for: new, parallelism: DeltaMatcher.defaultParallelism)
                try withOutput(deltaPath) { fd in
                    // Streamed: literal bytes go from the mapped file to the output, so memory is
                    // the signature and the segment list, whatever the size of the delta.
                    var sink = DeltaSink(descriptor: fd, path: deltaPath, compress: compress)
                    var encoder = DeltaEncoder()
                    for segment in segments {
                        if let basisOffset = segment.basisOffset {
                            encoder.append(.copy(offset: UInt64(basisOffset), length: UInt64(segment.length)))
                            if encoder.bytes.count >= 1 << 16 { try sink.write(encoder.takeBytes()) }
                        } else {
                            encoder.appendLiteralHeader(count: segment.length)
                            try sink.write(encoder.takeBytes())
                            try sink.write(UnsafeRawBufferPointer(rebasing: new[segment.targetOffset..<segment.targetEnd]))
                        }
                    }
                    try sink.write(encoder.finish())
                    try sink.finish()
                    try checkIntact()
                }
                let (literal, matched) = segments.byteCounts
                return Statistics(literalBytes: UInt64(literal), matchedBytes: UInt64(matched))
            }
        } catch let error as Failure {
            throw error
        } catch let error as FileSystemError {
            throw .file(error)
        } catch {
            throw .file(FileSystemError(operation: "delta", path: deltaPath, errno: EIO))
        }
    }

    // MARK: Input and output

    /// Where an encoded delta goes: the output descriptor, through a zlib stream with `--compress`.
    private struct DeltaSink {
        let descriptor: Int32
        let path: String
        let deflater: ZlibDeflater?

        init(descriptor: Int32, path: String, compress: Bool) {
            self.descriptor = descriptor
            self.path = path
            deflater = compress ? ZlibDeflater() : nil
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            if let deflater {
                try deflater.feed(bytes) { try FileSystem.writeAll(descriptor, $0, path: path) }
            } else {
                try FileSystem.writeAll(descriptor, bytes, path: path)
            }
        }

        func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

        func finish() throws { try deflater?.finish { try FileSystem.writeAll(descriptor, $0, path: path) } }
    }

    /// Runs `body` with the bytes of `path` (mapped; stdin is read whole) and a check that throws
    /// if the file shrank while it was read. `body` calls the check before it commits anything
    /// (a file that changes under us is an error, not a result made of zeros, nor a SIGBUS);
    /// it is called again here in case `body` did not.
    static func withMappedInput<T>(_ path: String, _ body: (UnsafeRawBufferPointer, _ checkIntact: () throws -> Void) throws -> T) throws -> T {
        if path == "-" {
            let bytes = try readInput(path)
            return try bytes.withUnsafeBytes { try body($0, {}) }
        }
        let fd = try FileSystem.openForReading(Array(path.utf8), in: FileSystem.currentDirectory, path: path)
        defer { FileSystem.close(fd) }
        let size = Int(try FileSystem.status(of: fd, path: path).size)
        let region = try MappedRegion(fd: fd, offset: 0, length: size, path: path)
        let check = { () throws -> Void in try region.checkIntact(path: path) }
        let result = try body(region.bytes, check)
        try check()
        return result
    }

    static func readInput(_ path: String) throws -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : try FileSystem.openForReading(Array(path.utf8), in: FileSystem.currentDirectory, path: path)
        defer { if fd != STDIN_FILENO { FileSystem.close(fd) } }
        var result: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try FileSystem.readFully(fd, into: chunk, path: path)
            result += UnsafeRawBufferPointer(rebasing: chunk[..<n])
            if n < chunk.count { return result }
        }
    }

    /// Writes `bytes` to `path` atomically (or to stdout for `-`).
    static func writeOutput(_ path: String, _ bytes: [UInt8]) throws {
        try withOutput(path) { fd in try bytes.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: path) } }
    }

    /// Runs `body` with a descriptor for `path`: stdout for `-`, else a new file that gets its
    /// name only if `body` returns normally.
    static func withOutput<T>(_ path: String, _ body: (Int32) throws -> T) throws -> T {
        if path == "-" { return try body(STDOUT_FILENO) }
        let bytes = Array(path.utf8)
        let (directory, name): ([UInt8], [UInt8])
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) {
            directory = slash == 0 ? [UInt8(ascii: "/")] : Array(bytes[..<slash])
            name = Array(bytes[(slash + 1)...])
        } else {
            directory = [UInt8(ascii: ".")]
            name = bytes
        }
        let display = String(decoding: directory, as: UTF8.self)
        let dirFD = try FileSystem.openDirectory(directory, in: FileSystem.currentDirectory, followSymlink: true, path: display)
        var writer = try AtomicFileWriter(name: name, in: LocalDirectory(descriptor: dirFD, displayPath: display),
                                          options: WriteOptions(), creationMode: 0o644)
        do {
            let result = try body(writer.descriptor)
            try writer.commit()
            return result
        } catch {
            writer.abandon(interrupted: false)
            throw error
        }
    }
}
