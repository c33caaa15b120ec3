import Synchronization
@testable import Provision

/// The recording fake of ``CommandRunner``: every command is recorded in order; a command
/// either gets a scripted answer, or (when `passThrough` says so) runs for real, with device
/// paths renamed (`/dev/md0` → a loop device, where the kernel has no md driver).
final class RecordingCommandRunner: CommandRunner, Sendable {
    private let recorded = Mutex<[Command]>([])
    private let answers: @Sendable (Command) -> CommandResult?
    private let passThrough: @Sendable (Command) -> Bool
    private let renames: [String: String]
    private let real = SystemCommandRunner()
    let missing: Set<String>
    /// Told of every command as it runs (to check it was printed first).
    let observer: StepLog

    /// `answers` scripts commands (nil: not scripted); unscripted commands succeed silently
    /// unless `passThrough` sends them to the system.
    init(missing: Set<String> = [], renames: [String: String] = [:], observer: StepLog = .silent,
         passThrough: @escaping @Sendable (Command) -> Bool = { _ in false }, answers: @escaping @Sendable (Command) -> CommandResult? = { _ in nil }) {
        self.missing = missing
        self.observer = observer
        self.renames = renames
        self.passThrough = passThrough
        self.answers = answers
    }

    var commands: [Command] { recorded.withLock { $0 } }
    var lines: [String] { commands.map(\.description) }

    func run(_ command: Command) throws(ProvisionError) -> CommandResult {
        recorded.withLock { $0.append(command) }
        observer("ran: \(command)")
        if let answer = answers(command) { return answer }
        if passThrough(command) {
            return try real.run(Command(command.program, command.arguments.map { renames[$0] ?? $0 }))
        }
        return CommandResult()
    }

    func isAvailable(_ program: String) -> Bool { !missing.contains(program) }
}

/// Collects step lines.
final class LineCollector: Sendable {
    private let collected = Mutex<[String]>([])
    var lines: [String] { collected.withLock { $0 } }
    var log: StepLog { StepLog { line in self.collected.withLock { $0.append(line) } } }
}
