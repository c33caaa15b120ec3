import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// `swiftsync signature [--block-size N] [--strong-len N] BASIS SIG` (like `rdiff signature`).
struct SignatureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signature",
        abstract: "Write the block signature of BASIS to SIG (- is stdin/stdout).")

    @Option(name: .customLong("block-size"), help: "Block length in bytes (default: about √size, 700 B–128 KiB).")
    var blockSize: Int?
    @Option(name: .customLong("strong-len"), help: "Bytes of the XXH3-128 strong sum to keep (1-16).")
    var strongLength: Int = 16
    @Argument var basis: String
    @Argument var signature: String

    func validate() throws {
        if let blockSize, blockSize < 1 || blockSize > Signature.maximumBlockLength { throw ValidationError("--block-size must be between 1 and 2^30") }
        if !(1...16).contains(strongLength) { throw ValidationError("--strong-len must be between 1 and 16") }
    }

    func run() throws {
        do {
            try DeltaFiles.signature(basisPath: basis, signaturePath: signature, blockLength: blockSize, strongLength: strongLength)
        } catch {
            try fail(error.description, .fileIO)
        }
    }
}

/// `swiftsync delta [--stats] SIG NEW DELTA`: a librsync-format delta `rdiff patch` applies.
struct DeltaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delta",
        abstract: "Write the delta from the basis described by SIG to NEW, in librsync's format.")

    @Flag(help: "Print literal/matched bytes and throughput to stderr.") var stats = false
    @Flag(help: "Wrap the delta in a zlib stream (swiftsync patch unwraps it; rdiff does not).") var compress = false
    @Argument var signature: String
    @Argument var new: String
    @Argument var delta: String

    func run() throws {
        let start = SystemClock.monotonicSeconds()
        do {
            let result = try DeltaFiles.delta(signaturePath: signature, newPath: new, deltaPath: delta, compress: compress)
            if stats {
                let elapsed = max(SystemClock.monotonicSeconds() - start, 1e-6)
                let total = Double(result.literalBytes + result.matchedBytes)
                OutputSink.standardError.line("Literal data: \(NumberFormatting.grouped(Int64(result.literalBytes))) bytes")
                OutputSink.standardError.line("Matched data: \(NumberFormatting.grouped(Int64(result.matchedBytes))) bytes")
                OutputSink.standardError.line("Throughput: \(NumberFormatting.fixed(total / elapsed / 1e6, decimals: 2)) MB/s")
            }
        } catch {
            switch error {
            case .signatureFormat: try fail(error.description, .protocolStream)
            case .file: try fail(error.description, .fileIO)
            }
        }
    }
}

/// One line naming what is wrong, rsync's closing line, and the exit code.
func fail(_ message: String, _ code: SyncCore.ExitCode) throws(RunEnded) -> Never {
    OutputSink.standardError.line("swiftsync: \(message)")
    OutputSink.standardError.line("swiftsync error: \(code.explanation) (code \(code.rawValue))")
    throw RunEnded(code)
}
