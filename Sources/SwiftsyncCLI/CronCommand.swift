import ArgumentParser
import Provision
import SyncCore

/// `swiftsync cron install|list|remove`: scheduled syncs as files in /etc/cron.d, each run
/// under a run lock so two never overlap.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Schedule syncs in /etc/cron.d, guarded by a run lock.",
        subcommands: [CronInstallCommand.self, CronListCommand.self, CronRemoveCommand.self]
    )
}

struct CronDirectory: ParsableArguments {
    @Option(name: .customLong("cron-dir"), help: ArgumentHelp("The cron.d directory.", valueName: "DIR")) var directory: String = "/etc/cron.d"
}

struct CronInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write /etc/cron.d/NAME: SCHEDULE, USER, this swiftsync with --lock/--lock-wait and SYNC-ARGS.",
        usage: "swiftsync cron install --name NAME --schedule \"15 0 * * *\" [--user root] [--mailto ADDR] [--log FILE] [--lock FILE] [--lock-wait SECONDS] -- SYNC-ARGS..."
    )

    @Option(help: ArgumentHelp("The job's name (letters, digits, _ and -): the file's name.", valueName: "NAME")) var name: String
    @Option(help: ArgumentHelp("Five cron fields (minute hour day month weekday) or @daily, @hourly...", valueName: "SCHEDULE")) var schedule: String
    @Option(help: ArgumentHelp("The user the sync runs as.", valueName: "USER")) var user: String = "root"
    @Option(help: ArgumentHelp("Where cron mails the output (\"\" for no mail).", valueName: "ADDR")) var mailto: String?
    @OptionGroup var cronDirectory: CronDirectory
    @Option(help: ArgumentHelp("Append the sync's output to FILE instead of mailing it.", valueName: "FILE")) var log: String?
    @Option(help: ArgumentHelp("The run lock (default /var/lock/swiftsync-NAME.lock).", valueName: "FILE")) var lock: String?
    @Option(name: .customLong("lock-wait"), help: ArgumentHelp("Seconds a run waits for the lock before giving up.", valueName: "SECONDS"))
    var lockWait: Int = 10
    @Argument(parsing: .postTerminator, help: ArgumentHelp("The sync's arguments, after --.", valueName: "SYNC-ARGS")) var syncArguments: [String] = []

    func run() throws {
        try ProvisionOutput.run { () throws(ProvisionError) in
            let job = try CronJob(name: name, schedule: try CronSchedule(parsing: schedule), user: user, mailTo: mailto, logFile: log,
                                  binary: try InstalledBinary.path(), lockFile: lock, lockWaitSeconds: lockWait, syncArguments: syncArguments)
            let steps = ProvisionOutput.steps(json: false)
            try CronTable(directory: cronDirectory.directory).install(job, log: steps)
            steps("\(job.schedule) \(job.user) \(job.command)")
        }
    }
}

struct CronListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the swiftsync jobs in the cron directory.")

    @OptionGroup var cronDirectory: CronDirectory
    @Flag(help: "One JSON object on stdout.") var json = false

    func run() throws {
        try ProvisionOutput.run { () throws(ProvisionError) in
            let jobs = try CronTable(directory: cronDirectory.directory).list()
            let object = JSONValue.object([("jobs", .array(jobs.map { job in
                .object([("name", .string(job.name)), ("path", .string(job.path)), ("schedule", .string(job.schedule)),
                         ("user", .string(job.user)), ("command", .string(job.shownCommand))])
            }))])
            let lines = jobs.isEmpty ? ["no swiftsync cron jobs in \(cronDirectory.directory)"]
                                     : jobs.map { "\($0.name): \($0.schedule) \($0.user) \($0.shownCommand)" }
            ProvisionOutput.result(lines, json: json ? object : nil)
        }
    }
}

struct CronRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove the swiftsync job NAME from the cron directory.")

    @Option(help: ArgumentHelp("The job's name.", valueName: "NAME")) var name: String
    @OptionGroup var cronDirectory: CronDirectory

    func run() throws {
        try ProvisionOutput.run { () throws(ProvisionError) in
            try CronTable(directory: cronDirectory.directory).remove(name: name, log: ProvisionOutput.steps(json: false))
        }
    }
}
