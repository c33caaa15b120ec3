/// One scheduled sync as a file in `/etc/cron.d`: the schedule, the user it runs as, and the
/// command — the absolute path of swiftsync with the run lock (`--lock FILE --lock-wait
/// SECONDS`, so two runs never overlap) and the sync's own arguments, each shell-quoted.
public struct CronJob: Sendable, Equatable {
    public var name: String
    public var schedule: CronSchedule
    public var user: String
    /// `MAILTO=`: where cron mails the output (nil: cron's default, "" : no mail).
    public var mailTo: String?
    /// Output appended to this file instead of mailed.
    public var logFile: String?
    public var binary: String
    public var lockFile: String
    public var lockWaitSeconds: Int
    public var syncArguments: [String]

    /// The first line of every file we write: how `cron list` and `cron remove` know our files.
    static let marker = "# swiftsync cron job"

    public init(name: String, schedule: CronSchedule, user: String = "root", mailTo: String? = nil, logFile: String? = nil,
                binary: String, lockFile: String? = nil, lockWaitSeconds: Int = 10, syncArguments: [String]) throws(ProvisionError) {
        try Self.check(name: name)
        guard !user.isEmpty, !user.hasPrefix("-"), user.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
            throw .usage("invalid --user \"\(user)\": expected a user name")
        }
        if let mailTo, !mailTo.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "@._+,-".contains($0)) }) {
            throw .usage("invalid --mailto \"\(mailTo)\": expected addresses separated by commas (or \"\" for no mail)")
        }
        guard binary.hasPrefix("/") else { throw .usage("the swiftsync binary path \"\(binary)\" is not absolute") }
        let lock = lockFile ?? "/var/lock/swiftsync-\(name).lock"
        guard lock.hasPrefix("/") else { throw .usage("--lock \"\(lock)\" must be an absolute path (cron runs in the user's home)") }
        if let logFile, !logFile.hasPrefix("/") { throw .usage("--log \"\(logFile)\" must be an absolute path (cron runs in the user's home)") }
        guard (0...86_400).contains(lockWaitSeconds) else { throw .usage("--lock-wait must be between 0 and 86400 seconds") }
        guard !syncArguments.isEmpty else { throw .usage("no sync arguments: give them after --, e.g. -- -a /data/ /backups/data/") }
        if let lockArgument = syncArguments.first(where: { $0 == "--lock" || $0 == "--lock-wait" || $0.hasPrefix("--lock=") || $0.hasPrefix("--lock-wait=") }) {
            throw .usage("\(lockArgument) belongs to cron install (--lock FILE, --lock-wait SECONDS), not to the sync arguments")
        }
        if let secret = CronSecrets.offending(syncArguments) {
            throw .usage("\(secret) on a cron line would be readable by every user (cron files are 0644) and shown by cron list: "
                         + "use a profile (--profile NAME, in the job user's ~/.aws/credentials) or the environment (AWS_ACCESS_KEY_ID, "
                         + "AWS_SECRET_ACCESS_KEY) instead")
        }
        for word in [binary, lock, logFile ?? ""] + syncArguments where word.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
            throw .usage("argument \"\(word)\" holds a line break, which a cron line cannot carry")
        }
        // cron reads `\%` as an escaped `%`, and a backslash before it cannot be escaped itself.
        for word in [binary, lock, logFile ?? ""] + syncArguments where word.contains("\\%") {
            throw .usage("argument \"\(word)\" holds a backslash before %, which a cron line cannot carry")
        }
        self.name = name
        self.schedule = schedule
        self.user = user
        self.mailTo = mailTo
        self.logFile = logFile
        self.binary = binary
        self.lockFile = lock
        self.lockWaitSeconds = lockWaitSeconds
        self.syncArguments = syncArguments
    }

    /// cron.d (run-parts) ignores files whose names hold dots or other characters: allow only
    /// letters, digits, `_` and `-`.
    public static func check(name: String) throws(ProvisionError) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw .usage("invalid --name \"\(name)\": use 1-64 letters, digits, _ and - (cron ignores files with dots or other characters)")
        }
    }

    /// The command cron hands to `/bin/sh`: every word shell-quoted, then each `%` escaped,
    /// because cron turns an unescaped `%` into a newline.
    public var command: String {
        var words = ShellQuoting.line([binary, "--lock", lockFile, "--lock-wait", String(lockWaitSeconds)] + syncArguments)
        if let logFile { words += " >>" + ShellQuoting.quote(logFile) + " 2>&1" }
        return words.replacingAll("%", with: "\\%")
    }

    /// The file's content.
    public var fileText: String {
        var lines = [
            "\(Self.marker) \"\(name)\": written by `swiftsync cron install`, removed by `swiftsync cron remove --name \(name)`.",
            "SHELL=/bin/sh",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        if let mailTo { lines.append(mailTo.isEmpty ? "MAILTO=\"\"" : "MAILTO=\(mailTo)") }
        lines.append("\(schedule) \(user) \(command)")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What `cron list` shows of a file we wrote: read back from the file, not from memory.
public struct InstalledCronJob: Sendable, Equatable {
    public var name: String
    public var path: String
    public var schedule: String
    public var user: String
    public var command: String

    /// The command as it may be printed: secrets masked (a file may predate their refusal).
    public var shownCommand: String { CronSecrets.masked(command) }

    /// Reads a cron file; nil when it is not one of ours.
    public static func parse(_ text: String, name: String, path: String) -> InstalledCronJob? {
        let lines = text.split(separator: "\n").map(String.init)
        guard let first = lines.first, first.hasPrefix(CronJob.marker) else { return nil }
        for line in lines.dropFirst() where !line.hasPrefix("#") && !line.isEmpty {
            let firstWord = line.prefix { $0 != " " && $0 != "\t" }
            if firstWord.contains("=") && !firstWord.hasPrefix("@") { continue }  // SHELL=, PATH=, MAILTO=
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            let scheduleCount = words.first?.hasPrefix("@") == true ? 1 : 5
            guard words.count > scheduleCount + 1 else { return nil }
            let commandStart = words[scheduleCount + 1].startIndex
            return InstalledCronJob(name: name, path: path, schedule: words[..<scheduleCount].joined(separator: " "),
                                    user: String(words[scheduleCount]), command: String(line[commandStart...]))
        }
        return nil
    }
}
