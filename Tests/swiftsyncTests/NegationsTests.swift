import SyncCore
import XCTest
@testable import SwiftsyncCLI

final class NegationsTests: XCTestCase {
    /// What turns each setting off, read back from the options or the reporter.
    private let settingIsOn: [String: (SyncOptions, SyncReporter.Options) -> Bool] = [
        "owner": { o, _ in o.preserveOwner }, "group": { o, _ in o.preserveGroup },
        "perms": { o, _ in o.preservePermissions }, "times": { o, _ in o.preserveTimes },
        "links": { o, _ in o.preserveLinks }, "devices": { o, _ in o.preserveDevices },
        "specials": { o, _ in o.preserveSpecials }, "recursive": { o, _ in o.recursive },
        "hard-links": { o, _ in o.hardLinks }, "sparse": { o, _ in o.sparse },
        "one-file-system": { o, _ in o.oneFileSystem }, "atimes": { o, _ in o.preserveAccessTimes },
        "checksum": { o, _ in o.checksum }, "verbose": { _, r in r.verbose > 0 },
        "itemize-changes": { _, r in r.itemize }, "inplace": { o, _ in o.inPlace },
        "partial": { o, _ in o.partial }, "progress": { _, r in r.progressPerFile },
        "human-readable": { _, r in r.humanReadable }, "mkpath": { o, _ in o.makePath },
        "numeric-ids": { o, _ in o.numericIds }, "whole-file": { o, _ in o.wholeFile },
        "compress": { o, _ in o.compression.isEnabled },
        "omit-dir-times": { o, _ in o.omitDirectoryTimes }, "omit-link-times": { o, _ in o.omitLinkTimes },
        "relative": { o, _ in o.relative }, "implied-dirs": { o, _ in o.impliedDirectories }, "dirs": { o, _ in o.dirs },
        "munge-links": { o, _ in o.mungeLinks },
    ]

    /// An option that turns each setting on.
    private let turnOn: [String: String] = [
        "owner": "-o", "group": "-g", "perms": "-p", "times": "-t", "links": "-l", "devices": "--devices",
        "specials": "--specials", "recursive": "-r", "hard-links": "-H", "sparse": "-S", "one-file-system": "-x",
        "atimes": "-U", "checksum": "-c", "verbose": "-v", "itemize-changes": "-i", "inplace": "--inplace",
        "partial": "--partial", "progress": "--progress", "human-readable": "-h", "mkpath": "--mkpath",
        "numeric-ids": "--numeric-ids", "whole-file": "-W", "compress": "-z",
        "omit-dir-times": "-O", "omit-link-times": "-J", "relative": "-R", "implied-dirs": "--implied-dirs", "dirs": "-d", "munge-links": "--munge-links",
    ]

    private func state(_ arguments: [String]) throws -> (SyncOptions, SyncReporter.Options) {
        let (remaining, negations) = Negations.extract(arguments)
        var rsync = try RsyncArguments.parse(remaining)
        rsync.negations = negations
        return (try rsync.makeOptions(sourceCount: 1), rsync.makeReporter().options)
    }

    private func isOn(_ setting: String, _ arguments: [String]) throws -> Bool {
        let (options, reporter) = try state(arguments)
        return try XCTUnwrap(settingIsOn[setting])(options, reporter)
    }

    func testEveryAliasTurnsItsSettingOffAfterItIsTurnedOn() throws {
        for (alias, name) in Negations.aliases {
            let settings = name == "D" ? ["devices", "specials"] : [name]
            for setting in settings {
                let on = try XCTUnwrap(turnOn[setting], setting)
                if setting != "whole-file" { XCTAssertTrue(try isOn(setting, [on]), "\(on) turns \(setting) on") }
                XCTAssertFalse(try isOn(setting, [on, "--no-\(alias)"]), "\(on) --no-\(alias)")
            }
        }
    }

    func testALaterOptionTurnsTheSettingBackOn() throws {
        // rsync applies options in order: `--no-perms -a` keeps perms (rsync 3.5.0, -n -i shows .f...p).
        for (alias, name) in Negations.aliases {
            let settings = name == "D" ? ["devices", "specials"] : [name]
            for setting in settings {
                let on = try XCTUnwrap(turnOn[setting])
                XCTAssertTrue(try isOn(setting, ["--no-\(alias)", on]), "--no-\(alias) \(on)")
            }
        }
    }

    func testArchiveAfterANegationRestoresWhatItImplies() throws {
        for alias in ["o", "owner", "g", "group", "p", "perms", "t", "times", "l", "links", "D", "devices", "specials", "r", "recursive"] {
            let (before, _) = try state(["--no-\(alias)", "-a"])
            XCTAssertTrue(before.preserveOwner && before.preserveGroup && before.preservePermissions && before.preserveTimes
                          && before.preserveLinks && before.preserveDevices && before.preserveSpecials && before.recursive,
                          "--no-\(alias) -a")
        }
        let (after, _) = try state(["-a", "--no-perms", "--no-o", "--no-g"])
        XCTAssertFalse(after.preservePermissions || after.preserveOwner || after.preserveGroup)
        XCTAssertTrue(after.preserveTimes && after.preserveLinks && after.recursive)
        // In a group of short options, and in the long form.
        XCTAssertTrue(try state(["--no-p", "-av"]).0.preservePermissions)
        XCTAssertTrue(try state(["--no-t", "--archive"]).0.preserveTimes)
        // -a does not imply -H, so it does not undo --no-H.
        XCTAssertFalse(try state(["-H", "--no-H", "-a"]).0.hardLinks)
    }

    func testNoDAndItsParts() throws {
        let (noD, _) = try state(["-a", "--no-D"])
        XCTAssertFalse(noD.preserveDevices || noD.preserveSpecials)
        let (devicesAgain, _) = try state(["-a", "--no-D", "--devices"])
        XCTAssertTrue(devicesAgain.preserveDevices)
        XCTAssertFalse(devicesAgain.preserveSpecials)
        let (bothAgain, _) = try state(["--no-devices", "--no-specials", "-D"])
        XCTAssertTrue(bothAgain.preserveDevices && bothAgain.preserveSpecials)
    }

    func testCapitalPUndoesNoPartialAndNoProgress() throws {
        let (options, reporter) = try state(["--no-partial", "--no-progress", "-P"])
        XCTAssertTrue(options.partial)
        XCTAssertTrue(reporter.progressPerFile)
        let (off, offReporter) = try state(["-P", "--no-partial"])
        XCTAssertFalse(off.partial)
        XCTAssertTrue(offReporter.progressPerFile)
    }

    func testNegationsRsyncDoesNotHaveAreNotTakenOut() {
        // rsync 3.5.0: "--no-delete: unknown option" (also --no-u, --no-update, --no-L, --no-copy-links).
        for unknown in ["--no-delete", "--no-u", "--no-update", "--no-L", "--no-copy-links", "--no-bogus"] {
            let (remaining, negations) = Negations.extract([unknown])
            XCTAssertEqual(remaining, [unknown])
            XCTAssertEqual(negations, Negations())
            XCTAssertThrowsError(try RsyncArguments.parse(remaining), unknown)
        }
    }

    func testDoubleDashStopsExtraction() {
        let (remaining, negations) = Negations.extract(["--no-o", "--", "--no-perms", "-a"])
        XCTAssertEqual(remaining, ["--", "--no-perms", "-a"])
        XCTAssertTrue(negations.contains("owner"))
        XCTAssertFalse(negations.contains("perms"))
    }

    func testOptionValuesAreNeitherNegationsNorEnablers() {
        // `--exclude -p` excludes a file named -p; `--exclude --no-t` one named --no-t.
        var (remaining, negations) = Negations.extract(["--no-p", "--exclude", "-p", "--exclude", "--no-t", "-f", "-a"])
        XCTAssertEqual(remaining, ["--exclude", "-p", "--exclude", "--no-t", "-f", "-a"])
        XCTAssertTrue(negations.contains("perms"))
        XCTAssertFalse(negations.contains("times"))
        // -f's value is the rest of its group: -fa is the rule "a", not -a.
        (remaining, negations) = Negations.extract(["--no-p", "-vfa", "--include=-p"])
        XCTAssertEqual(remaining, ["-vfa", "--include=-p"])
        XCTAssertTrue(negations.contains("perms"))
    }

    func testEveryAliasNamesAKnownSetting() {
        for (alias, name) in Negations.aliases {
            let settings = name == "D" ? ["devices", "specials"] : [name]
            for setting in settings {
                XCTAssertNotNil(Negations.enablers[setting], "--no-\(alias)")
                XCTAssertNotNil(settingIsOn[setting], "--no-\(alias)")
            }
        }
    }
}
