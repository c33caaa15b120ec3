import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// What a run reports, as rsync's output options ask: shared by `sync` and `snapshot`.
extension RsyncArguments {
    /// The reporter for `-i`, `-v`, `-q`, `-h`, `--json` and `--progress`.
    func makeReporter() -> SyncReporter {
        var options = SyncReporter.Options()
        options.itemize = i > 0 && !negations.contains("itemize-changes")
        options.verbose = q || negations.contains("verbose") ? 0 : v
        options.itemizeUnchanged = i > 1
        options.quiet = q
        options.humanReadable = humanReadable && !negations.contains("human-readable")
        options.json = json
        options.progressPerFile = (progress || P) && !q && !negations.contains("progress")
        options.outFormat = outFormat.map(LogFormat.init)
        options.dryRun = n
        if let logFile {
            do {
                options.logFile = try LogFile(path: logFile, format: logFileFormat.map(LogFormat.init) ?? .itemized)
            } catch {
                // As rsync: the run goes on without its log.
                OutputSink.standardError.line("swiftsync: failed to open log-file \(logFile): \(error.reason)")
                OutputSink.standardOutput.line("Ignoring \"log file\" setting.")
            }
        }
        return SyncReporter(options: options)
    }

    /// `--info=progress2`: one live line for the whole run.
    var progressBar: ProgressReporter? {
        info.contains("progress2") && !q ? ProgressReporter(sink: json ? .standardError : .standardOutput) : nil
    }

    /// Ends the run as rsync does: `--stats` or the totals line, the error line for a non-zero
    /// code, the `--json` summary, then the end of the run with the code.
    func finish(_ reporter: SyncReporter, code: SyncCore.ExitCode, elapsed: Double) throws(RunEnded) -> Never {
        let summary = RunSummary(statistics: reporter.statistics, elapsed: elapsed, exitCode: code, humanReadable: humanReadable)
        if stats && !q {
            reporter.output(summary.statsText)
        } else if v > 0 && !q {
            reporter.output("\n" + summary.totalsText)
        }
        // rsync logs -v's totals where -v prints them, else one line of its own.
        reporter.options.logFile?.line(v > 0 && !q ? summary.totalsText : summary.logTotalsText)
        if code != .success {
            let line = "swiftsync error: \(code.explanation) (code \(code.rawValue))"
            OutputSink.standardError.line(line)
            reporter.options.logFile?.line(line)
        }
        if json { OutputSink.standardOutput.line(summary.json) }
        reporter.flush()
        OutputSink.standardOutput.flush()
        throw RunEnded(code)
    }
}
