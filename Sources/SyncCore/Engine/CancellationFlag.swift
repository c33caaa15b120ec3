import Synchronization
import SyncSystem

/// Thrown when the user interrupted the run (SIGINT/SIGTERM): rsync's exit 20.
public struct SyncInterrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "received SIGINT, SIGTERM, or SIGHUP" }
}

/// A process-wide "stop now" flag, set from a signal handler and polled between chunks of
/// work, so that an interrupted copy can clean up its temp file instead of dying mid-write.
public enum CancellationFlag {
    private static let flag = Atomic<Bool>(false)

    public static var isSet: Bool { flag.load(ordering: .relaxed) }

    public static func set() { flag.store(true, ordering: .relaxed) }

    public static func check() throws(SyncInterrupted) {
        if isSet { throw SyncInterrupted() }
    }

    /// Routes SIGINT, SIGTERM and SIGHUP to the flag.
    public static func installSignalHandlers() {
        SystemProcess.onInterrupt { _ in CancellationFlag.set() }
    }
}
