#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left: its exit status and everything it wrote.
public struct ProcessOutput: Sendable, Equatable {
    /// The exit code, or 128 + the signal number when a signal ended it (as shells report it).
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public init(status: Int32, standardOutput: [UInt8] = [], standardError: [UInt8] = []) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

extension FileSystem {
    /// Runs `executable` (an absolute path) with `arguments`, stdin from /dev/null, and collects
    /// its stdout and stderr (read together with `poll`, so neither pipe can fill and stall the
    /// child). `environment` entries are added to (or replace) the inherited ones.
    public static func runProcess(_ executable: String, arguments: [String], environment: [String: String] = [:])
        throws(FileSystemError) -> ProcessOutput {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        try check(pipe(&outPipe), "pipe", executable)
        defer { closeAll(outPipe) }
        try check(pipe(&errPipe), "pipe", executable)
        defer { closeAll(errPipe) }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?] = mergedEnvironment(environment).map { strdup($0) } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw FileSystemError(operation: "spawn", path: executable, errno: spawned) }
        close(outPipe[1]); outPipe[1] = -1
        close(errPipe[1]); errPipe[1] = -1

        var output = ProcessOutput(status: 0)
        try drain(outPipe[0], errPipe[0], into: &output, path: executable)
        var status: Int32 = 0
        try check(retryingEINTR { waitpid(pid, &status, 0) }, "waitpid", executable)
        let signal = status & 0x7f
        output.status = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return output
    }

    /// The first executable file named `name` in `PATH`, then in the sbin directories (cron's
    /// and sudo's PATH often lack them, and mdadm, mkfs and blkid live there).
    public static func locateExecutable(_ name: String, path: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let directories = (path ?? "").split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if let status = try? statusIfPresent(candidate), status.kind == .regular, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func drain(_ out: Int32, _ err: Int32, into output: inout ProcessOutput, path: String) throws(FileSystemError) {
        var fds = [pollfd(fd: out, events: Int16(POLLIN), revents: 0), pollfd(fd: err, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while open > 0 {
            let ready = retryingEINTR { poll(&fds, nfds_t(fds.count), -1) }
            try check(ready, "poll", path)
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let n = retryingEINTR { buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) } }
                try check(n == -1 ? -1 : 0, "read", path)
                if n == 0 {
                    fds[index].fd = -1
                    open -= 1
                } else if index == 0 {
                    output.standardOutput += buffer[..<n]
                } else {
                    output.standardError += buffer[..<n]
                }
            }
        }
    }

    private static func mergedEnvironment(_ overrides: [String: String]) -> [String] {
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if overrides[name] == nil { entries.append(text) }
            pointer += 1
        }
        return entries + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }
}
