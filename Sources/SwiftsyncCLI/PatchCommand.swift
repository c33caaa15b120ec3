import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// `swiftsync patch BASIS DELTA NEW`: `rdiff patch` with the same file formats.
struct PatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Apply a librsync-format DELTA (as made by `rdiff delta`) to BASIS, writing NEW.",
        usage: "swiftsync patch [--stats] BASIS DELTA NEW   (- is stdin for DELTA, stdout for NEW)"
    )

    @Flag(help: "Print literal/matched bytes and throughput to stderr.") var stats = false
    @Argument(help: "The old file the delta refers to.") var basis: String
    @Argument(help: "The delta file, or - for stdin.") var delta: String
    @Argument(help: "The file to write, or - for stdout.") var new: String

    func run() throws {
        let start = SystemClock.monotonicSeconds()
        do {
            let result = try DeltaPatch.apply(basisPath: basis, deltaPath: delta, outputPath: new)
            if stats {
                let elapsed = max(SystemClock.monotonicSeconds() - start, 1e-6)
                OutputSink.standardError.line("Literal data: \(NumberFormatting.grouped(Int64(result.literalBytes))) bytes")
                OutputSink.standardError.line("Matched data: \(NumberFormatting.grouped(Int64(result.matchedBytes))) bytes")
                OutputSink.standardError.line("Throughput: \(NumberFormatting.fixed(Double(result.outputBytes) / elapsed / 1e6, decimals: 2)) MB/s")
            }
        } catch {
            let code: SyncCore.ExitCode
            switch error {
            case .format: code = .protocolStream
            case .file: code = .fileIO
            }
            try fail(error.description, code)
        }
    }
}
