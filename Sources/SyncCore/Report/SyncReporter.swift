import Synchronization
import SyncSystem

/// Where everything a run says goes: itemized changes, `-v` names, errors with their exit
/// class, and the counters the final `--stats`/`--json` summary is made from.
public final class SyncReporter: Sendable {
    public struct Options: Sendable {
        public var itemize = false
        public var verbose = 0
        public var quiet = false
        public var humanReadable = false
        /// Human output goes to stderr so stdout holds the JSON object only.
        public var json = false
        /// `--progress`: a line per transferred file.
        public var progressPerFile = false
        /// What error lines begin with: the program the user ran (boto-rsync mode says `boto-rsync`).
        public var programName = "swiftsync"
        /// Whose lines `-v` prints: rsync's ("./" for a new root, "X is uptodate" at `-vv`), or
        /// boto-rsync's (no root, "Skipping X (size matches)").
        public var dialect = Dialect.rsync
        public init() {}
    }

    public enum Dialect: Sendable { case rsync, botoRsync }

    /// Why a file was left alone.
    public enum Skip: Sendable {
        /// The quick check (or `-c`) found it up to date.
        case upToDate
        /// `--ignore-existing` (boto-rsync's `-w`), or `-u` with a newer destination.
        case exists
    }

    public let options: Options
    public let statistics = SyncStatistics()
    let out: OutputSink
    let err: OutputSink
    private let exitFlags = Atomic<Int>(0)
    private let filesDone = Atomic<Int>(0)
    private let started = SystemClock.monotonicSeconds()

    private enum Flag: Int {
        case partial = 1, vanished = 2, maxDelete = 4, interrupted = 8, fileIO = 16
    }

    public init(options: Options, out: OutputSink = .standardOutput, err: OutputSink = .standardError) {
        self.options = options
        self.out = options.json ? err : out
        self.err = err
    }

    /// A change to `path`: printed by `-i` when significant, by `-v` as a name.
    public func changed(_ change: ItemizedChange, path: [UInt8], linkTarget: [UInt8]? = nil, hardLinkTarget: [UInt8]? = nil) {
        if options.itemize {
            if change.isSignificant || options.verbose > 1 {
                out.line(change.line(path: path, linkTarget: linkTarget, hardLinkTarget: hardLinkTarget))
            }
        } else if options.verbose > 0 && !options.quiet && (change.isNew || change.update == .received || change.update == .sent || change.update == .hardLink) {
            if options.dialect == .botoRsync && path.isEmpty { return }
            out.line(ItemizedChange.displayName(path: path, kind: change.kind, linkTarget: linkTarget, hardLinkTarget: hardLinkTarget))
        }
    }

    public func deleted(path: [UInt8], kind: FileKind) {
        statistics.countDeleted(kind)
        if options.itemize {
            out.line(ItemizedChange.deletionLine(path: path, kind: kind))
        } else if options.verbose > 0 && !options.quiet {
            out.line("deleting " + ItemizedChange.displayName(path: path, kind: kind))
        }
    }

    /// `--progress`: the name (unless `-v`/`-i` printed it) and a completion line per file.
    public func fileDone(path: [UInt8], size: Int64) {
        guard options.progressPerFile else { return }
        let n = filesDone.add(1, ordering: .relaxed).newValue
        let elapsed = max(0.001, SystemClock.monotonicSeconds() - started)
        var text = ""
        if options.verbose == 0 && !options.itemize { text = DisplayPath.escape(path) + "\n" }
        let sizeText = NumberFormatting.size(size, human: options.humanReadable)
        text += String(repeating: " ", count: max(0, 14 - sizeText.count)) + sizeText + " 100% "
        text += ProgressReporter.rate(Double(statistics[.literalData]) / elapsed) + "    " + ProgressReporter.clock(elapsed)
        text += " (xfr#\(n))"
        out.line(text)
    }

    /// Informational lines that `-v` or `-i` show (`created directory X`).
    public func info(_ text: String) {
        if (options.verbose > 0 || options.itemize) && !options.quiet { out.line(text) }
    }

    /// Lines rsync prints on stdout even without `-v` (silenced by `-q`).
    public func notice(_ text: String) {
        if !options.quiet { out.line(text) }
    }

    /// A regular file left alone: `-vv` names it.
    public func skipped(path: [UInt8], _ why: Skip) {
        guard options.verbose > 1 && !options.quiet else { return }
        let name = DisplayPath.escape(path)
        switch (options.dialect, why) {
        case (.rsync, .upToDate): out.line("\(name) is uptodate")
        case (.rsync, .exists): out.line("\(name) exists")
        case (.botoRsync, .upToDate): out.line("Skipping \(name) (size matches)")
        case (.botoRsync, .exists): out.line("Skipping \(name) (not overwriting)")
        }
    }

    /// Lines `-v` shows (skipping notices).
    public func verbose(_ text: String) {
        if options.verbose > 0 && !options.quiet { out.line(text) }
    }

    /// Plain output that is the point of an option (`--stats`, progress): not silenced by `-q`'s absence of `-v`.
    public func output(_ text: String) { out.line(text) }

    /// A per-file error: printed at once, the run goes on and ends with exit 23.
    public func error(_ message: String) {
        statistics.add(.errors)
        exitFlags.bitwiseOr(Flag.partial.rawValue, ordering: .relaxed)
        err.line(options.programName + ": " + message)
    }

    /// A source file that vanished between listing and transfer: exit 24 unless worse happened.
    public func vanished(_ path: String) {
        statistics.add(.vanished)
        exitFlags.bitwiseOr(Flag.vanished.rawValue, ordering: .relaxed)
        err.line("file has vanished: \"\(path)\"")
    }

    /// A usage error found before the run starts (the caller exits with rsync's 1).
    public func usageError(_ message: String) {
        err.line(options.programName + ": " + message)
    }

    /// A warning that does not change the exit code.
    public func warning(_ message: String) {
        if !options.quiet { err.line(options.programName + ": " + message) }
    }

    public func fatalIO(_ message: String) {
        exitFlags.bitwiseOr(Flag.fileIO.rawValue, ordering: .relaxed)
        err.line(options.programName + ": " + message)
    }

    public func maxDeleteReached() { exitFlags.bitwiseOr(Flag.maxDelete.rawValue, ordering: .relaxed) }
    public func interrupted() { exitFlags.bitwiseOr(Flag.interrupted.rawValue, ordering: .relaxed) }

    /// The exit code, by rsync's precedence: interruption, I/O failure, partial transfer,
    /// vanished files, then the --max-delete limit.
    public var exitCode: ExitCode {
        let flags = exitFlags.load(ordering: .relaxed)
        if flags & Flag.interrupted.rawValue != 0 { return .interrupted }
        if flags & Flag.fileIO.rawValue != 0 { return .fileIO }
        if flags & Flag.partial.rawValue != 0 { return .partialTransfer }
        if flags & Flag.vanished.rawValue != 0 { return .vanished }
        if flags & Flag.maxDelete.rawValue != 0 { return .maxDeleteReached }
        return .success
    }

    public func flush() {
        out.flush()
        err.flush()
    }
}
