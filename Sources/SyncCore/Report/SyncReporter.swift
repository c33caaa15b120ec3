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
        /// `--out-format`: the template of the lines about items (instead of `-i`'s and `-v`'s).
        public var outFormat: LogFormat?
        /// `--log-file`, with its `--log-file-format`.
        public var logFile: LogFile?
        /// `-n`: nothing is sent or deleted, so the log file records neither (as rsync's).
        public var dryRun = false
        /// `-ii`: unchanged items get a line too (as at `-vv` with a format that itemizes).
        public var itemizeUnchanged = false
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

    /// The template of stdout's lines about items: `--out-format`, else `-i`'s, else `-v`'s.
    public let format: LogFormat?
    /// Whether a format shows `%f` or `%C`, which cost a lookup or a read to gather.
    public let showsFullPaths: Bool
    public let showsChecksums: Bool

    public init(options: Options, out: OutputSink = .standardOutput, err: OutputSink = .standardError) {
        self.options = options
        self.out = options.json ? err : out
        self.err = err
        if options.quiet {
            // -q silences every line about items, -i's and --out-format's too (not the log).
            format = nil
        } else if let outFormat = options.outFormat {
            format = outFormat
        } else if options.itemize {
            format = .itemized
        } else if options.verbose > 0 {
            format = .names
        } else {
            format = nil
        }
        let formats = [format, options.logFile?.format].compactMap { $0 }
        showsFullPaths = formats.contains { $0.uses(.fullPath) }
        showsChecksums = formats.contains { $0.uses(.checksum) }
    }

    /// Whether any line about an item is printed or logged (else callers need not gather one).
    public var reportsItems: Bool { format != nil || options.logFile != nil }

    /// A change to `path`. A format that shows `%i` (`-i`) prints every significant change (every
    /// change at `-ii`/`-vv`); one that does not (`-v`) prints what was sent or made and
    /// directories that changed. The log file records what the latter would, and every
    /// significant change when stdout itemizes. `status`: the sender's version, for the
    /// formats' `%l %M %B %U %G`.
    public func changed(_ change: ItemizedChange, path: [UInt8], linkTarget: [UInt8]? = nil, hardLinkTarget: [UInt8]? = nil,
                        status: FileStatus? = nil, sourcePath: [UInt8]? = nil, bytesSent: Int64 = 0, checksum: ContentChecksum.Digest? = nil) {
        guard reportsItems else { return }
        // rsync names a symlink whose attributes alone changed without its target, unless itemizing.
        let linkTarget = change.update == .attributesOnly && format?.itemizes != true ? nil : linkTarget
        var item: LoggedItem {
            var item = LoggedItem(operation: .send, change: change, kind: change.kind, path: path, linkTarget: linkTarget,
                                  hardLinkTarget: hardLinkTarget, status: status, sourcePath: sourcePath)
            item.bytesSent = bytesSent
            item.checksum = checksum
            return item
        }
        let named = change.isNew || change.update != .attributesOnly || (change.kind == .directory && change.isSignificant)
        if let format {
            let shown = format.itemizes ? change.isSignificant || options.verbose > 1 || options.itemizeUnchanged
                                        : named || (options.verbose > 1 && change.isSignificant)
            if shown && !(options.dialect == .botoRsync && path.isEmpty && !format.itemizes) {
                out.line(format.render(item, context: .current()))
            }
        }
        if let log = options.logFile, !log.format.template.isEmpty,
           named || (format?.itemizes == true && change.isSignificant),
           !(options.dryRun && (change.update == .received || change.update == .sent)) {
            log.line(log.format.render(item, context: .current()))
        }
    }

    /// A deletion: rendered by a format that shows `%i` or `%o` (which say it is one), else
    /// rsync's `deleting NAME`.
    public func deleted(path: [UInt8], kind: FileKind) {
        statistics.countDeleted(kind)
        guard reportsItems else { return }
        let item = LoggedItem(operation: .delete, change: nil, kind: kind, path: path)
        func line(_ format: LogFormat) -> String {
            format.itemizes || format.uses(.operation) ? format.render(item, context: .current())
                : "deleting " + ItemizedChange.displayName(path: path, kind: kind)
        }
        if let format { out.line(line(format)) }
        if let log = options.logFile, !options.dryRun { log.line(line(log.format)) }
    }

    /// The line `-v` begins a run with.
    public func runStarted() {
        if options.verbose > 0 && !options.quiet && options.dialect == .rsync { out.line("sending incremental file list") }
        options.logFile?.line("building file list")
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
        // -vv's note, which an itemized line replaces.
        guard options.verbose > 1 && !options.quiet && format?.itemizes != true else { return }
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
        errorLine(options.programName + ": " + message)
    }

    /// A source file that vanished between listing and transfer: exit 24 unless worse happened.
    public func vanished(_ path: String) {
        statistics.add(.vanished)
        exitFlags.bitwiseOr(Flag.vanished.rawValue, ordering: .relaxed)
        errorLine("file has vanished: \"\(path)\"")
    }

    /// A usage error found before the run starts (the caller exits with rsync's 1).
    public func usageError(_ message: String) {
        err.line(options.programName + ": " + message)
    }

    /// A warning that does not change the exit code.
    public func warning(_ message: String) {
        if !options.quiet { err.line(options.programName + ": " + message) }
        options.logFile?.line(options.programName + ": " + message)
    }

    public func fatalIO(_ message: String) {
        exitFlags.bitwiseOr(Flag.fileIO.rawValue, ordering: .relaxed)
        errorLine(options.programName + ": " + message)
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

    /// An error's line, on stderr and in the log file.
    private func errorLine(_ text: String) {
        err.line(text)
        options.logFile?.line(text)
    }

    public func flush() {
        out.flush()
        err.flush()
    }
}
