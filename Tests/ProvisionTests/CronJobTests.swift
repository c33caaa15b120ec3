import XCTest
import SyncCore
@testable import Provision
import SyncSystem

final class CronJobTests: XCTestCase {
    func job(_ arguments: [String], name: String = "backups", mailTo: String? = nil, log: String? = nil, lock: String? = nil,
             wait: Int = 10, user: String = "root") throws -> CronJob {
        try CronJob(name: name, schedule: try CronSchedule(parsing: "15 0 * * *"), user: user, mailTo: mailTo, logFile: log,
                    binary: "/usr/local/bin/swiftsync", lockFile: lock, lockWaitSeconds: wait, syncArguments: arguments)
    }

    func testFileContent() throws {
        let text = try job(["-a", "--delete", "/data/", "/backups/data/"], mailTo: "ops@example.com", log: "/var/log/swiftsync-backups.log").fileText
        XCTAssertEqual(text, """
            # swiftsync cron job "backups": written by `swiftsync cron install`, removed by `swiftsync cron remove --name backups`.
            SHELL=/bin/sh
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            MAILTO=ops@example.com
            15 0 * * * root /usr/local/bin/swiftsync --lock /var/lock/swiftsync-backups.lock --lock-wait 10 -a --delete /data/ /backups/data/ >>/var/log/swiftsync-backups.log 2>&1

            """)
        let quiet = try job(["-a", "/x/", "/y/"], mailTo: "", lock: "/run/lock/b.lock", wait: 0).fileText
        XCTAssertTrue(quiet.contains("\nMAILTO=\"\"\n"), quiet)
        XCTAssertTrue(quiet.hasSuffix("15 0 * * * root /usr/local/bin/swiftsync --lock /run/lock/b.lock --lock-wait 0 -a /x/ /y/\n"), quiet)
        XCTAssertFalse(try job(["-a", "/x/", "/y/"]).fileText.contains("MAILTO"), "cron's default when not given")
    }

    /// The command cron runs, checked through the real /bin/sh: cron's `%` rule applied (an
    /// escaped `\%` becomes `%`, as cron does), then sh must hand the program exactly the words.
    func testQuotedCommandRoundTripsThroughTheShell() throws {
        let awkward = ["-a", "--exclude=*.tmp", "/data/with space/", "/b/it's \"quoted\"/", "100%", "$HOME", "`id`", "a;b", "tab\there", "~", "", "é"]
        let script = try TemporaryDirectory()
        let printer = script.path + "/printargs"
        try FileSystem.replaceFile(printer, contents: Array("#!/bin/sh\nfor a; do printf '%s\\0' \"$a\"; done\n".utf8), mode: 0o755)
        let cron = try CronJob(name: "t", schedule: try CronSchedule(parsing: "@daily"), binary: printer, syncArguments: awkward)
        var asCronRunsIt = ""
        var escaped = false
        for ch in cron.command {
            if escaped { if ch != "%" { asCronRunsIt.append("\\") }; asCronRunsIt.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            XCTAssertNotEqual(ch, "%", "an unescaped % would end the command")
            asCronRunsIt.append(ch)
        }
        let output = try FileSystem.runProcess("/bin/sh", arguments: ["-c", asCronRunsIt])
        XCTAssertEqual(output.status, 0, String(decoding: output.standardError, as: UTF8.self))
        let words = output.standardOutput.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(words, ["--lock", "/var/lock/swiftsync-t.lock", "--lock-wait", "10"] + awkward)
    }

    func testRefusals() {
        let cases: [(() throws -> CronJob, String)] = [
            ({ try self.job(["-a", "/x/", "/y/"], name: "back.ups") }, "invalid --name \"back.ups\""),
            ({ try self.job(["-a", "/x/", "/y/"], name: "") }, "invalid --name"),
            ({ try self.job(["-a", "/x/", "/y/"], name: "a/b") }, "invalid --name"),
            ({ try self.job([]) }, "no sync arguments"),
            ({ try self.job(["--lock", "/l", "-a", "/x/", "/y/"]) }, "--lock belongs to cron install"),
            ({ try self.job(["--lock-wait=5", "-a", "/x/", "/y/"]) }, "--lock-wait=5 belongs to cron install"),
            ({ try self.job(["-a", "/x/\n", "/y/"]) }, "line break"),
            ({ try self.job(["-a", "/x\\%/", "/y/"]) }, "backslash before %"),
            ({ try self.job(["-a", "/x/", "/y/"], log: "relative.log") }, "--log \"relative.log\" must be an absolute path"),
            ({ try self.job(["-a", "/x/", "/y/"], lock: "lock") }, "--lock \"lock\" must be an absolute path"),
            ({ try self.job(["-a", "/x/", "/y/"], wait: -1) }, "--lock-wait must be between"),
            ({ try self.job(["-a", "/x/", "/y/"], mailTo: "a b") }, "invalid --mailto"),
            ({ try self.job(["-a", "/x/", "/y/"], user: "-r") }, "invalid --user"),
        ]
        for (make, expected) in cases {
            XCTAssertThrowsError(try make(), expected) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
                XCTAssertEqual((error as? ProvisionError)?.exitCode, .usage)
            }
        }
    }

    /// A cron file is 0644 and `cron list` prints it: no credential goes on the line, and one
    /// already there (an older file) is masked when shown.
    func testSecretsAreRefusedAndMaskedWhenShown() throws {
        for arguments in [["--secret-key", "S3CR3T"], ["--secret-key=S3CR3T"], ["--access-key", "AKIAS3CR3T"], ["--session-token=S3CR3T"],
                          ["--endpoint-url", "https://u:S3CR3T@h/"], ["--endpoint-url=https://u:S3CR3T@h/"]] {
            XCTAssertThrowsError(try job(["-a"] + arguments + ["/x/", "s3://b/p/"])) { error in
                XCTAssertEqual((error as? ProvisionError)?.exitCode, .usage)
                XCTAssertTrue("\(error)".contains("--profile") && "\(error)".contains("environment"), "\(error)")
                XCTAssertFalse("\(error)".contains("S3CR3T"), "\(error)")
            }
        }
        XCTAssertNoThrow(try job(["-a", "--profile", "backup", "--endpoint-url", "https://minio.lan:9000/", "/x/", "s3://b/p/"]))
        XCTAssertNoThrow(try job(["-a", "--", "--secret-key", "/y/"]), "after --, a file name")
        let installed = "/usr/bin/swiftsync --lock /l --lock-wait 10 -a --secret-key S3CR3T '--access-key=AKIAS3CR3T' "
            + "--endpoint-url https://u:S3CR3T@h/ '--endpoint-url=http://u:S3CR3T@h/' /x/ s3://b/p/"
        XCTAssertEqual(InstalledCronJob(name: "n", path: "/p", schedule: "@daily", user: "root", command: installed).shownCommand,
                       "/usr/bin/swiftsync --lock /l --lock-wait 10 -a --secret-key '***' '--access-key=***' "
                       + "--endpoint-url https://***@h/ '--endpoint-url=http://***@h/' /x/ s3://b/p/")
    }

    func testInstallListRemoveRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let table = CronTable(directory: directory.path + "/")
        let nightly = try job(["-a", "/data/", "/backups/data/"])
        let collector = LineCollector()
        XCTAssertEqual(try table.install(nightly, log: collector.log), .created)
        XCTAssertEqual(try table.install(nightly, log: collector.log), .unchanged)
        let later = try CronJob(name: "backups", schedule: try CronSchedule(parsing: "30 1 * * mon-fri"), binary: "/usr/local/bin/swiftsync",
                                syncArguments: ["-a", "/data/", "/backups/data/"])
        XCTAssertEqual(try table.install(later, log: collector.log), .replaced)
        XCTAssertEqual(collector.lines, ["writing \(directory.path)/backups", "\(directory.path)/backups is already up to date: nothing to do",
                                         "replacing \(directory.path)/backups"])
        let status = try XCTUnwrap(try FileSystem.statusIfPresent(directory.path + "/backups"))
        XCTAssertEqual(status.permissions, 0o644)

        try FileSystem.replaceFile(directory.path + "/other", contents: Array("0 * * * * root /bin/true\n".utf8), mode: 0o644)
        try FileSystem.replaceFile(directory.path + "/.hidden", contents: Array(later.fileText.utf8), mode: 0o644)
        XCTAssertEqual(try table.list(), [InstalledCronJob(name: "backups", path: directory.path + "/backups", schedule: "30 1 * * mon-fri",
                                                           user: "root", command: later.command)])
        XCTAssertThrowsError(try table.install(try job(["-a", "/x/", "/y/"], name: "other"))) { XCTAssertTrue("\($0)".contains("was not written by swiftsync")) }
        XCTAssertThrowsError(try table.remove(name: "other")) { XCTAssertTrue("\($0)".contains("was not written by swiftsync")) }
        XCTAssertThrowsError(try table.remove(name: "nothing")) { XCTAssertTrue("\($0)".contains("no cron job \"nothing\"")) }
        try table.remove(name: "backups")
        XCTAssertEqual(try table.list(), [])
        XCTAssertNotNil(try FileSystem.statusIfPresent(directory.path + "/other"), "foreign file left alone")
        XCTAssertThrowsError(try CronTable(directory: directory.path + "/missing").list()) { XCTAssertTrue("\($0)".contains("does not exist")) }
    }

    func testShellQuoting() {
        XCTAssertEqual(ShellQuoting.quote("/data/x-1_2.txt"), "/data/x-1_2.txt")
        XCTAssertEqual(ShellQuoting.quote("--exclude=*.tmp"), "'--exclude=*.tmp'")
        XCTAssertEqual(ShellQuoting.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(ShellQuoting.quote(""), "''")
        XCTAssertEqual(ShellQuoting.line(["a b", "c"]), "'a b' c")
    }
}

/// A directory under /tmp removed (whole) when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/swiftsync-provision-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { throw ProvisionError.failed("mkdtemp") }
        path = String(cString: made)
    }

    deinit { _ = try? FileSystem.removeTree(Array(path.utf8), in: FileSystem.currentDirectory, path: path) }
}
