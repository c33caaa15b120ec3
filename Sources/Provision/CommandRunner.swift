#if canImport(Glibc)
import Glibc
#endif
import SyncCore
import SyncSystem

/// An external program to run (mdadm, mkfs.ext4, blkid, wipefs, mount…): the program's name
/// (looked up in PATH and the sbin directories) and its arguments.
public struct Command: Sendable, Equatable, CustomStringConvertible {
    public var program: String
    public var arguments: [String]

    public init(_ program: String, _ arguments: [String]) {
        self.program = program
        self.arguments = arguments
    }

    /// The command as a shell line, quoted so it can be pasted into a shell.
    public var description: String { ShellQuoting.line([program] + arguments) }
}

/// A finished command's exit status and output.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var output: String
    public var errorOutput: String

    public init(status: Int32 = 0, output: String = "", errorOutput: String = "") {
        self.status = status
        self.output = output
        self.errorOutput = errorOutput
    }
}

/// The one way provisioning code runs external commands, so that tests can replace it with a
/// recording fake and `--dry-run` never reaches it for a command that changes anything.
public protocol CommandRunner: Sendable {
    /// Runs `command` to completion. A non-zero exit is a result, not an error; a program that
    /// cannot be found or started throws.
    func run(_ command: Command) throws(ProvisionError) -> CommandResult
    /// Whether `program` can be found.
    func isAvailable(_ program: String) -> Bool
}

extension CommandRunner {
    /// Runs `command` and fails with its first line of stderr when it exits non-zero.
    @discardableResult
    public func check(_ command: Command) throws(ProvisionError) -> CommandResult {
        let result = try run(command)
        guard result.status == 0 else {
            let why = result.errorOutput.split(whereSeparator: \.isNewline).first.map(String.init)
                ?? result.output.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no output"
            throw .failed("\(command) exited with status \(result.status): \(why)")
        }
        return result
    }
}

/// Runs commands for real, with `LC_ALL=C` so their output parses the same everywhere.
public struct SystemCommandRunner: CommandRunner {
    let searchPath: String?

    public init(searchPath: String? = SystemProcess.environmentValue("PATH")) { self.searchPath = searchPath }

    public func run(_ command: Command) throws(ProvisionError) -> CommandResult {
        guard let executable = FileSystem.locateExecutable(command.program, path: searchPath) else {
            throw .usage("\(command.program) is not installed (looked in PATH and the sbin directories)")
        }
        let output: ProcessOutput
        do {
            output = try FileSystem.runProcess(executable, arguments: command.arguments, environment: ["LC_ALL": "C"])
        } catch {
            throw .failed("\(command): \(error)")
        }
        return CommandResult(status: output.status, output: String(decoding: output.standardOutput, as: UTF8.self),
                             errorOutput: String(decoding: output.standardError, as: UTF8.self))
    }

    public func isAvailable(_ program: String) -> Bool { FileSystem.locateExecutable(program, path: searchPath) != nil }
}
