import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// `--lock FILE --lock-wait SECONDS`: a run lock for any sync (and every snapshot), so that
/// a cron job that overruns never runs twice at once. `cron install` emits these two names.
struct LockArguments: ParsableArguments {
    @Option(name: .customLong("lock"), help: ArgumentHelp("Hold an exclusive flock on FILE for the whole run; another run holding it is waited for.", valueName: "FILE"))
    var file: String?
    @Option(name: .customLong("lock-wait"), help: ArgumentHelp("How long to wait for --lock before giving up with exit code 75 (default 0: give up at once).", valueName: "SECONDS"))
    var wait: Double?

    mutating func validate() throws {
        if let wait, !(wait >= 0 && wait.isFinite) { throw ValidationError("--lock-wait must be a number of seconds, 0 or more") }
        if file?.isEmpty == true { throw ValidationError("--lock needs a file name") }
    }

    /// Takes the lock on `--lock` (else `defaultFile`; no lock when both are nil). When another
    /// run holds it past `--lock-wait`, says so on stderr and ends the run with 75 before
    /// anything is touched.
    func acquire(defaultFile: String? = nil) throws(RunEnded) -> RunLock? {
        guard let path = file ?? defaultFile else { return nil }
        do {
            return try RunLock.acquire(path: path, wait: wait ?? 0)
        } catch {
            let code: SyncCore.ExitCode
            if case .busy = error { code = .lockHeld } else { code = .fileIO }
            OutputSink.standardError.line("swiftsync: \(error)")
            OutputSink.standardError.line("swiftsync error: \(code.explanation) (code \(code.rawValue))")
            throw RunEnded(code)
        }
    }

    /// `--lock-wait` means nothing without a lock to wait for.
    func validateNeedsLock() throws {
        if wait != nil && file == nil { throw ValidationError("--lock-wait needs --lock FILE") }
    }

    /// The run lock is global: `swiftsync --lock F --lock-wait N snapshot ...` (the form
    /// `cron install` writes) means `swiftsync snapshot --lock F --lock-wait N ...`. Without
    /// this, options before a subcommand's name would go to the default sync command and turn
    /// `snapshot` into a source directory.
    static func movingLeadingLockOptions(_ arguments: [String], into subcommands: Set<String> = ["snapshot"]) -> [String] {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--lock" || argument == "--lock-wait" {
                index += 2
            } else if argument.hasPrefix("--lock=") || argument.hasPrefix("--lock-wait=") {
                index += 1
            } else {
                break
            }
        }
        guard index > 0, index < arguments.count, subcommands.contains(arguments[index]) else { return arguments }
        return [arguments[index]] + arguments[..<index] + arguments[(index + 1)...]
    }
}
