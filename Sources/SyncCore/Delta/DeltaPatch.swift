#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Applies a librsync-format delta to a basis file (`rdiff patch`), streaming: the delta is read
/// in chunks, COPY ranges are read from the basis with `pread`, and the result is written to a
/// new file that only gets its name when the whole delta applied cleanly.
public enum DeltaPatch {
    /// What a patch did, for `--stats`.
    public struct Statistics: Sendable, Equatable {
        public var literalBytes: UInt64 = 0
        public var matchedBytes: UInt64 = 0
        public var outputBytes: UInt64 { literalBytes + matchedBytes }
    }

    /// Errors of the `patch` command: a file problem or a malformed delta.
    public enum Failure: Error, CustomStringConvertible {
        case file(FileSystemError)
        case format(DeltaFormatError, path: String)

        public var description: String {
            switch self {
            case .file(let e): "\(e)"
            case .format(let e, let path): "\(path): \(e)"
            }
        }
    }

    /// Applies `deltaPath` (`-` is stdin) to `basisPath`, writing `outputPath` (`-` is stdout).
    public static func apply(basisPath: String, deltaPath: String, outputPath: String) throws(Failure) -> Statistics {
        do {
            let basis = try FileSystem.openForReading(Array(basisPath.utf8), in: FileSystem.currentDirectory, path: basisPath)
            defer { FileSystem.close(basis) }
            let basisSize = UInt64(try FileSystem.status(of: basis, path: basisPath).size)
            let delta = deltaPath == "-" ? STDIN_FILENO
                : try FileSystem.openForReading(Array(deltaPath.utf8), in: FileSystem.currentDirectory, path: deltaPath)
            defer { if delta != STDIN_FILENO { FileSystem.close(delta) } }
            return try DeltaFiles.withOutput(outputPath) { output in
                try run(basis: basis, basisSize: basisSize, basisPath: basisPath, delta: delta, deltaPath: deltaPath,
                        output: output, outputPath: outputPath)
            }
        } catch let error as Failure {
            throw error
        } catch let error as FileSystemError {
            throw .file(error)
        } catch {
            throw .file(FileSystemError(operation: "patch", path: outputPath, errno: EIO))
        }
    }

    private static func run(basis: Int32, basisSize: UInt64, basisPath: String, delta: Int32, deltaPath: String,
                            output: Int32, outputPath: String) throws -> Statistics {
        var decoder = DeltaDecoder()
        var stats = Statistics()
        let chunk = 1 << 20
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        let copyBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { input.deallocate(); copyBuffer.deallocate() }
        // A new file is written at explicit offsets, so COPY ranges can go basis → output inside
        // the kernel (copy_file_range); a pipe (`-`) is written in sequence.
        var written: Int64 = 0
        let positioned = output != STDOUT_FILENO
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            if positioned {
                try FileSystem.writeAll(output, bytes, at: written, path: outputPath)
            } else {
                try FileSystem.writeAll(output, bytes, path: outputPath)
            }
            written += Int64(bytes.count)
        }
        func apply(_ piece: DeltaDecoder.Piece) throws {
            switch piece {
            case .literal(let bytes, _):
                try emit(bytes)
                stats.literalBytes += UInt64(bytes.count)
            case .copy(let offset, let length):
                guard offset <= basisSize, length <= basisSize - offset else {
                    throw Failure.format(DeltaFormatError(kind: .copyOutsideBasis(offset: offset, length: length, basisSize: basisSize)),
                                         path: deltaPath)
                }
                var done = 0
                if positioned {
                    done = FileSystem.copyRange(from: basis, at: Int64(offset), to: output, at: written, length: Int(length))
                    written += Int64(done)
                }
                while done < Int(length) {
                    let want = min(chunk, Int(length) - done)
                    let got = try FileSystem.readFully(basis, at: Int64(offset) + Int64(done),
                                                       into: UnsafeMutableRawBufferPointer(rebasing: copyBuffer[..<want]), path: basisPath)
                    guard got == want else { throw Failure.file(FileSystemError(operation: "read", path: basisPath, errno: EIO)) }
                    try emit(UnsafeRawBufferPointer(rebasing: copyBuffer[..<got]))
                    done += got
                }
                stats.matchedBytes += length
            }
        }
        // A delta written with --compress is one zlib stream: unwrap it on the way in.
        var inflater: ZlibInflater?
        var firstChunk = true
        while !decoder.isFinished {
            let n = try FileSystem.readFully(delta, into: input, path: deltaPath)
            if n == 0 { break }
            let raw = UnsafeRawBufferPointer(rebasing: input[..<n])
            if firstChunk {
                firstChunk = false
                if ZlibDelta.looksCompressed(raw) { inflater = ZlibInflater() }
            }
            do {
                if let inflater {
                    // Each inflated piece goes straight through the decoder to the output, so a
                    // literal that expands to gigabytes costs one piece of memory.
                    do {
                        try inflater.feed(raw) { try decoder.feed($0, apply) }
                    } catch let error as ZlibInflater.Failure {
                        throw DeltaFormatError(kind: .corruptCompression(error.description))
                    }
                } else {
                    try decoder.feed(raw, apply)
                }
            } catch let error as DeltaFormatError {
                throw Failure.format(error, path: deltaPath)
            }
        }
        do {
            try decoder.finish()
        } catch {
            throw Failure.format(error, path: deltaPath)
        }
        return stats
    }
}
