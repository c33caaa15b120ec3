import Provision
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// How the provisioning commands (ebs, raid1, cron) talk: step lines on stdout (stderr under
/// `--json`, which leaves stdout to the one JSON object), and a failure as one line on stderr
/// with the error's exit code.
public enum ProvisionOutput {
    /// The step log for a command.
    public static func steps(json: Bool) -> StepLog { .to(json ? .standardError : .standardOutput) }

    /// Prints `lines` (or, with `json`, the object) on stdout.
    public static func result(_ lines: [String], json: JSONValue?) {
        if let json {
            OutputSink.standardOutput.line(json.serialized)
        } else {
            for line in lines { OutputSink.standardOutput.line(line) }
        }
        OutputSink.standardOutput.flush()
    }

    /// One line naming what is wrong, then the end of the run.
    public static func fail(_ error: ProvisionError) throws(RunEnded) -> Never {
        OutputSink.standardOutput.flush()
        OutputSink.standardError.line("swiftsync: \(error.message)")
        OutputSink.standardError.flush()
        throw RunEnded(error.exitCode)
    }

    /// Runs `body`, turning a ``ProvisionError`` into ``fail(_:)``.
    public static func run(_ body: () throws(ProvisionError) -> Void) throws(RunEnded) {
        do { try body() } catch { try fail(error) }
    }
}
