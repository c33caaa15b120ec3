#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

/// What the process knows about itself and its kind: its ids, its environment, its working
/// directory, signals, and replacing itself with another program.
public enum SystemProcess {
    /// This process's id.
    public static var id: Int32 { getpid() }

    /// Whether a process with this id exists (one of another user's counts: EPERM).
    public static func isRunning(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// Makes malloc use one arena for every thread, unless `MALLOC_ARENA_MAX` says otherwise.
    /// glibc gives threads arenas of their own and keeps what they freed: an S3 sync, whose
    /// listing pages are parsed on whichever event-loop or executor thread is free, then grew
    /// its peak RSS with the number of objects (34.8 MiB at 2,000, 44.8 at 20,000) though it
    /// holds one page at a time; with one arena it stays flat (35.4 and 35.6 MiB).
    public static func useOneMallocArena() {
        guard environmentValue("MALLOC_ARENA_MAX") == nil else { return }
        _ = cs_malloc_arena_max(1)
    }

    /// An environment variable's value, `nil` when unset.
    public static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Who the process acts as, for deciding which owners and groups it may give files.
    public struct Credentials: Sendable, Equatable {
        public var effectiveUser: UInt32
        public var effectiveGroup: UInt32
        /// The effective group and every supplementary group.
        public var groups: Set<UInt32>
        public var isSuperUser: Bool { effectiveUser == 0 }
    }

    public static func credentials() -> Credentials {
        var buffer = [gid_t](repeating: 0, count: 256)
        var count = getgroups(Int32(buffer.count), &buffer)
        if count < 0 {
            // More groups than the buffer holds: ask how many, then read them all.
            let needed = getgroups(0, nil)
            buffer = [gid_t](repeating: 0, count: Int(max(0, needed)))
            count = getgroups(Int32(buffer.count), &buffer)
        }
        let egid = UInt32(getegid())
        return Credentials(effectiveUser: UInt32(geteuid()), effectiveGroup: egid,
                           groups: Set(buffer.prefix(Int(max(0, count))).map { UInt32($0) } + [egid]))
    }

    /// The working directory, `nil` when it cannot be named (removed, or too long).
    public static func currentDirectoryPath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path of the running program (from /proc), `nil` when /proc cannot say.
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Replaces this process with `executable` run with `arguments` (the first is its name).
    /// Returns only when that failed, with the error.
    public static func replace(with executable: String, arguments: [String]) -> FileSystemError {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execv(executable, &argv)
        let error = FileSystemError(operation: "exec", path: executable, errno: errno)
        for pointer in argv { free(pointer) }
        return error
    }

    /// Ends the process with `status` (after stdio buffers are flushed).
    public static func exit(_ status: Int32) -> Never { Glibc.exit(status) }

    /// Routes SIGINT, SIGTERM and SIGHUP to `handler`. The handler runs in signal context: it
    /// may only do what is async-signal-safe (set an atomic flag).
    public static func onInterrupt(_ handler: @convention(c) (Int32) -> Void) {
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, handler) }
    }

    /// The processors online (at least one).
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Whether descriptor `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}
