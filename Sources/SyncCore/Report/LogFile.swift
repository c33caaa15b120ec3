#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// `--log-file`: rsync's log of a run, appended to FILE, each line stamped with the local time
/// and the process id (`2026/12/07 21:02:08 [11421] >f+++++++++ a`).
///
/// Lines are written as they happen, not buffered to the end: a run that is killed leaves the
/// log of what it did up to then, which is when a log is read.
public final class LogFile: Sendable {
    /// The items' template (`--log-file-format`, default `%i %n%L`).
    public let format: LogFormat
    public let path: String
    private let sink: OutputSink

    /// Opens `path` for appending (created `0666` less the umask, as rsync creates it).
    public init(path: String, format: LogFormat = .itemized) throws(FileSystemError) {
        let fd = try FileSystem.open(Array(path.utf8), in: FileSystem.currentDirectory, flags: O_WRONLY | O_CREAT | O_APPEND,
                                     mode: 0o666, path: path)
        self.sink = OutputSink(fd: fd, limit: 0)
        self.format = format
        self.path = path
    }

    /// Appends `text`, one stamped line per line of it.
    public func line(_ text: String) {
        let context = LogContext.current()
        let stamp = TimeText.log(context.now) + " [\(context.pid)] "
        var block = ""
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            block += stamp + part + "\n"
        }
        sink.write(block)
    }
}
