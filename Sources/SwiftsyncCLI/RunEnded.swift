import SyncCore

/// A command has said everything it had to (its result, or one line naming what is wrong) and
/// the run ends with `code`. Thrown instead of exiting where the code is decided, so that the
/// process exits in one place, ``SwiftsyncMain/run(s3:)``, after every `defer` has run.
public struct RunEnded: Error, Sendable {
    public let code: SyncCore.ExitCode

    public init(_ code: SyncCore.ExitCode) { self.code = code }
}
