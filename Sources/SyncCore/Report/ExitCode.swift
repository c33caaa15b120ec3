/// rsync's exit codes, which scripts test for.
public enum ExitCode: Int32, Sendable {
    case success = 0
    case usage = 1
    case protocolIncompatibility = 2
    case selectingFiles = 3
    case unsupported = 4
    case socketIO = 10
    case fileIO = 11
    /// rsync's "error in rsync protocol data stream": here, a malformed delta or signature file.
    case protocolStream = 12
    case interrupted = 20
    case partialTransfer = 23
    case vanished = 24
    case maxDeleteReached = 25
    case timeout = 30
    /// Not rsync's: `--lock` was held by another run for all of `--lock-wait` (EX_TEMPFAIL, so
    /// that a retrying scheduler knows to try again later).
    case lockHeld = 75

    /// rsync's wording, for the final `error:` line.
    public var explanation: String {
        switch self {
        case .success: "success"
        case .usage: "syntax or usage error"
        case .protocolIncompatibility: "protocol incompatibility"
        case .selectingFiles: "errors selecting input/output files, dirs"
        case .unsupported: "requested action not supported"
        case .socketIO: "error in socket IO"
        case .fileIO: "error in file IO"
        case .protocolStream: "error in delta data stream"
        case .interrupted: "received SIGINT, SIGTERM, or SIGHUP"
        case .partialTransfer: "some files/attrs were not transferred (see previous errors)"
        case .vanished: "some files vanished before they could be transferred"
        case .maxDeleteReached: "the --max-delete limit stopped deletions"
        case .timeout: "timeout in data send/receive"
        case .lockHeld: "another run holds the lock; nothing was done"
        }
    }
}
