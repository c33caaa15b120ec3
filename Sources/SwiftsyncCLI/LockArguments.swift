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
    /// run holds it past `--lock-wait`, says so on stderr and exits 75 before anything is touched.
    func acquire(defaultFile: String? = nil) -> RunLock? {
        guard let path = file ?? defaultFile else { return nil }
        do {
            return try RunLock.acquire(path: path, wait: wait ?? 0)
        } catch {
            let code: SyncCore.ExitCode
            if case .busy = error { code = .lockHeld } else { code = .fileIO }
            OutputSink.standardError.line("swiftsync: \(error)")
            OutputSink.standardError.line("swiftsync error: \(code.explanation) (code \(code.rawValue))")
            Glibc.exit(code.rawValue)
        }
    }

    /// `--lock-wait` means nothing without a lock to wait for.
    func validateNeedsLock() throws {
        if wait != nil && file == nil { throw ValidationError("--lock-wait needs --lock FILE") }
    }
}
