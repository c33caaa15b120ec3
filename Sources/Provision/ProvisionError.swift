import SyncCore

/// Why a provisioning command stopped, as one line naming what is wrong, and the exit code
/// it ends with. Nothing here holds a credential.
public struct ProvisionError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Bad arguments, or a request refused before anything changed (a device with a
        /// filesystem, an unsafe name): exit 1, like any usage error.
        case usage
        /// The API endpoint or the metadata service did not answer: exit 10.
        case unreachable
        /// A step failed (an API call refused, a command failed, a file not written): exit 11.
        case failed
        /// A wait ran past its limit: exit 30 (rsync's timeout code).
        case timeout
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func usage(_ message: String) -> ProvisionError { ProvisionError(.usage, message) }
    public static func failed(_ message: String) -> ProvisionError { ProvisionError(.failed, message) }

    public var description: String { message }

    public var exitCode: ExitCode {
        switch kind {
        case .usage: .usage
        case .unreachable: .socketIO
        case .failed: .fileIO
        case .timeout: .timeout
        }
    }
}

/// Where a command's step lines go: every step is printed before it runs (stdout, or stderr
/// under `--json` so that stdout holds the JSON object alone).
public struct StepLog: Sendable {
    let emit: @Sendable (String) -> Void

    public init(_ emit: @escaping @Sendable (String) -> Void) { self.emit = emit }

    public func callAsFunction(_ line: String) { emit(line) }

    /// Lines to an output sink (flushed per line, so they interleave with child processes' output in order).
    public static func to(_ sink: OutputSink) -> StepLog {
        StepLog { line in
            sink.line(line)
            sink.flush()
        }
    }

    /// Discards every line.
    public static let silent = StepLog { _ in }
}
