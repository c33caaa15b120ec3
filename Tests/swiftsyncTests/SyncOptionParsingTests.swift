import ArgumentParser
import SyncCore
import XCTest
@testable import SwiftsyncCLI

/// The command line as `main` parses it (negations out first, filter order kept), turned into
/// ``SyncOptions``; rsync 3.5.0 is the reference for every expectation.
func parsedOptions(_ arguments: [String], sourceCount: Int = 1) throws -> SyncOptions {
    let (remaining, negations) = Negations.extract(arguments)
    var rsync = try RsyncArguments.parse(remaining)
    rsync.orderedFilterArguments = FilterArgument.scan(remaining)
    rsync.negations = negations
    return try rsync.makeOptions(sourceCount: sourceCount)
}

/// The message of the usage error that parsing `arguments` fails with.
func usageError(_ arguments: [String], sourceCount: Int = 1, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        _ = try parsedOptions(arguments, sourceCount: sourceCount)
        XCTFail("\(arguments) parsed without an error", file: file, line: line)
        return ""
    } catch {
        return RsyncArguments.fullMessage(for: error)
    }
}

final class SyncOptionParsingTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("SyncOptionParsingTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: scratch)
    }

    /// Writes `bytes` to a scratch file and returns its path.
    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    // MARK: -a and single flags

    func testNoOptionsAreRsyncsDefaults() throws {
        let opts = try parsedOptions([])
        XCTAssertFalse(opts.recursive || opts.preserveLinks || opts.preservePermissions || opts.preserveTimes)
        XCTAssertFalse(opts.preserveGroup || opts.preserveOwner || opts.preserveDevices || opts.preserveSpecials)
        XCTAssertNil(opts.delete)
        XCTAssertTrue(opts.wholeFile)
        XCTAssertFalse(opts.backup)
        XCTAssertNil(opts.bandwidthLimit)
        XCTAssertNil(opts.filesFrom)
    }

    func testArchiveIsRlptgoD() throws {
        for arguments in [["-a"], ["--archive"], ["-rlptgoD"], ["-r", "-l", "-p", "-t", "-g", "-o", "-D"],
                          ["--recursive", "--links", "--perms", "--times", "--group", "--owner", "--devices", "--specials"]] {
            let opts = try parsedOptions(arguments)
            XCTAssertTrue(opts.recursive && opts.preserveLinks && opts.preservePermissions && opts.preserveTimes, "\(arguments)")
            XCTAssertTrue(opts.preserveGroup && opts.preserveOwner && opts.preserveDevices && opts.preserveSpecials, "\(arguments)")
            // Not part of -a.
            XCTAssertFalse(opts.hardLinks || opts.preserveAccessTimes || opts.sparse || opts.oneFileSystem, "\(arguments)")
        }
        // -a implies recursion, but only -r counts as asking for it (--files-from).
        XCTAssertFalse(try parsedOptions(["-a"]).explicitRecursive)
        XCTAssertTrue(try parsedOptions(["-ar"]).explicitRecursive)
    }

    func testEachFlagSetsItsField() throws {
        let cases: [([String], (SyncOptions) -> Bool)] = [
            (["-L"], { $0.copyLinks }), (["--copy-links"], { $0.copyLinks }),
            (["-U"], { $0.preserveAccessTimes }), (["--atimes"], { $0.preserveAccessTimes }),
            (["-H"], { $0.hardLinks }), (["--hard-links"], { $0.hardLinks }),
            (["-S"], { $0.sparse }), (["--sparse"], { $0.sparse }),
            (["-x"], { $0.oneFileSystem }), (["--one-file-system"], { $0.oneFileSystem }),
            (["-n"], { $0.dryRun }), (["--dry-run"], { $0.dryRun }),
            (["-c"], { $0.checksum }), (["--checksum"], { $0.checksum }),
            (["--size-only"], { $0.sizeOnly }),
            (["-I"], { $0.ignoreTimes }), (["--ignore-times"], { $0.ignoreTimes }),
            (["-u"], { $0.update }), (["--update"], { $0.update }),
            (["--ignore-existing"], { $0.ignoreExisting }), (["--existing"], { $0.existingOnly }),
            (["--inplace"], { $0.inPlace }), (["--partial"], { $0.partial }),
            (["--partial-dir=.p"], { $0.partialDirectory == ".p" }),
            (["--force"], { $0.force }), (["--max-delete=3"], { $0.maxDelete == 3 }),
            (["--link-dest=a", "--link-dest", "b"], { $0.linkDest == ["a", "b"] }),
            (["--compare-dest=c"], { $0.compareDest == ["c"] }),
            (["--numeric-ids"], { $0.numericIds }), (["--remove-source-files"], { $0.removeSourceFiles }),
            (["--mkpath"], { $0.makePath }), (["--jobs=9"], { $0.jobs == 9 }), (["--walkers", "3"], { $0.walkers == 3 }),
            (["--devices"], { $0.preserveDevices && !$0.preserveSpecials }),
            (["--specials"], { $0.preserveSpecials && !$0.preserveDevices }),
        ]
        for (arguments, isSet) in cases {
            XCTAssertTrue(isSet(try parsedOptions(arguments)), "\(arguments)")
        }
        // None of them is on without its option.
        let defaults = try parsedOptions([])
        for (arguments, isSet) in cases { XCTAssertFalse(isSet(defaults), "\(arguments) is on by default") }
    }

    func testModifyWindow() throws {
        XCTAssertEqual(try parsedOptions([]).modifyWindow, 0)
        XCTAssertEqual(try parsedOptions(["--modify-window=2"]).modifyWindow, 2)
        // rsync takes the next argument as the value, even when it starts with a dash.
        XCTAssertEqual(try parsedOptions(["--modify-window", "-1"]).modifyWindow, -1)
        XCTAssertEqual(try parsedOptions(["--modify-window=-1"]).modifyWindow, -1)
        XCTAssertThrowsError(try parsedOptions(["--modify-window=1.5"]))
        XCTAssertThrowsError(try parsedOptions(["--modify-window=x"]))
    }

    func testNegativeMaxDeleteMeansDeleteNothing() throws {
        // rsync 3.5.0: `--max-delete=-1` stops every deletion (exit 25), like --max-delete=0.
        XCTAssertEqual(try parsedOptions(["--delete", "--max-delete=-1"]).maxDelete, 0)
        XCTAssertEqual(try parsedOptions(["--delete", "--max-delete", "-5"]).maxDelete, 0)
        XCTAssertEqual(try parsedOptions(["--delete", "--max-delete=0"]).maxDelete, 0)
    }

    // MARK: Deletion

    func testDeleteFamilyAndItsTiming() throws {
        XCTAssertEqual(try parsedOptions(["--delete"]).delete, .during)
        XCTAssertEqual(try parsedOptions(["--delete-during"]).delete, .during)
        XCTAssertEqual(try parsedOptions(["--delete-before"]).delete, .before)
        XCTAssertEqual(try parsedOptions(["--delete-after"]).delete, .after)
        XCTAssertEqual(try parsedOptions(["--delete", "--delete-before"]).delete, .before)
        XCTAssertEqual(try parsedOptions(["--delete-after", "--delete"]).delete, .after)
        // --delete-excluded implies --delete (rsync deletes extraneous files with it alone).
        let excluded = try parsedOptions(["--delete-excluded"])
        XCTAssertEqual(excluded.delete, .during)
        XCTAssertTrue(excluded.deleteExcluded)
        XCTAssertEqual(try parsedOptions(["--delete-excluded", "--delete-after"]).delete, .after)
        XCTAssertFalse(try parsedOptions(["--delete"]).deleteExcluded)
    }

    func testTwoDeleteTimingsAreAUsageError() {
        // rsync 3.5.0's words; --delete-during, --del and --delete-delay are one setting to it.
        for pair in [["--delete-before", "--delete-after"], ["--delete-before", "--delete-during"], ["--delete-during", "--delete-after"],
                     ["--delete-delay", "--delete-after"], ["--del", "--delete-before"]] {
            XCTAssertTrue(usageError(pair).contains("You may not combine multiple --delete-WHEN options."), "\(pair)")
        }
        XCTAssertEqual(try parsedOptions(["--delete-during", "--delete-delay"]).delete, .after)
        XCTAssertEqual(try parsedOptions(["--del"]).delete, .during)
    }

    // MARK: Backups, -P, whole file

    func testBackupOptions() throws {
        let b = try parsedOptions(["-b"])
        XCTAssertTrue(b.backup)
        XCTAssertNil(b.backupDirectory)
        XCTAssertNil(b.backupSuffix, "the engine's default, ~")
        XCTAssertTrue(try parsedOptions(["--backup"]).backup)
        // --backup-dir implies -b.
        let dir = try parsedOptions(["--backup-dir=old"])
        XCTAssertTrue(dir.backup)
        XCTAssertEqual(dir.backupDirectory, "old")
        XCTAssertNil(dir.backupSuffix)
        XCTAssertEqual(try parsedOptions(["-b", "--suffix=.bak"]).backupSuffix, ".bak")
        XCTAssertEqual(try parsedOptions(["--backup-dir", "old", "--suffix", ".1"]).backupSuffix, ".1")
        XCTAssertEqual(try parsedOptions(["--backup-dir", "old", "--suffix", ""]).backupSuffix, "")
    }

    func testBadSuffixesAreUsageErrors() {
        XCTAssertTrue(usageError(["-b", "--suffix=a/b"]).contains("--suffix"))
        XCTAssertTrue(usageError(["-b", "--suffix", ""]).contains("--suffix"))
    }

    func testCapitalPIsPartialAndProgress() throws {
        XCTAssertTrue(try parsedOptions(["-P"]).partial)
        XCTAssertTrue(try parsedOptions(["-avP"]).partial)
        XCTAssertTrue(try RsyncArguments.parse(["-P"]).makeReporter().options.progressPerFile)
    }

    func testNoWholeFile() throws {
        XCTAssertTrue(try parsedOptions(["-W"]).wholeFile)
        XCTAssertFalse(try parsedOptions(["--no-W"]).wholeFile)
        XCTAssertFalse(try parsedOptions(["--no-whole-file"]).wholeFile)
        // rsync: the last of -W and --no-W wins (`--no-W -W` sends all data literally).
        XCTAssertFalse(try parsedOptions(["-W", "--no-W"]).wholeFile)
        XCTAssertTrue(try parsedOptions(["--no-W", "-W"]).wholeFile)
        XCTAssertTrue(try parsedOptions(["--no-whole-file", "--whole-file"]).wholeFile)
    }

    // MARK: Sizes

    func testBandwidthLimitUnits() throws {
        XCTAssertEqual(try parsedOptions(["--bwlimit=100"]).bandwidthLimit, 100 * 1024, "KiB is the default unit")
        XCTAssertEqual(try parsedOptions(["--bwlimit=1.5k"]).bandwidthLimit, 1536)
        XCTAssertEqual(try parsedOptions(["--bwlimit=2m"]).bandwidthLimit, 2 * 1024 * 1024)
        XCTAssertEqual(try parsedOptions(["--bwlimit=1MB"]).bandwidthLimit, 1_000_000)
        XCTAssertEqual(try parsedOptions(["--bwlimit=1mib"]).bandwidthLimit, 1024 * 1024)
        XCTAssertEqual(try parsedOptions(["--bwlimit=512b"]).bandwidthLimit, 512)
        XCTAssertNil(try parsedOptions(["--bwlimit=0"]).bandwidthLimit, "0 is unlimited")
    }

    func testBadBandwidthLimitsNameTheOption() {
        for value in ["abc", "-1", "5x", "1e3"] {
            XCTAssertTrue(usageError(["--bwlimit=\(value)"]).contains("--bwlimit"), value)
        }
        // rsync 3.5.0: "--bwlimit=511b is too small (min: 512 or 0 for unlimited)".
        XCTAssertTrue(usageError(["--bwlimit=511b"]).contains("too small"))
        XCTAssertTrue(usageError(["--bwlimit=0.1"]).contains("--bwlimit"))
    }

    func testSizeLimitUnits() throws {
        let cases: [(String, Int64)] = [
            ("100", 100), ("1k", 1024), ("1K", 1024), ("1kb", 1000), ("1KiB", 1024), ("1.5k", 1536), ("2m", 2 << 20),
            ("1g", 1 << 30), ("1k+1", 1025), ("1k-1", 1023), ("1bb", 1), ("5.", 5), (".5k", 512), ("0", 0),
        ]
        for (text, bytes) in cases {
            XCTAssertEqual(try parsedOptions(["--max-size=\(text)"]).filters.maximumSize, bytes, text)
            XCTAssertEqual(try parsedOptions(["--min-size", text]).filters.minimumSize, bytes, text)
        }
        let both = try parsedOptions(["--min-size=10", "--max-size=20"]).filters
        XCTAssertTrue(both.skipsSize(9))
        XCTAssertFalse(both.skipsSize(10))
        XCTAssertFalse(both.skipsSize(20))
        XCTAssertTrue(both.skipsSize(21))
    }

    func testBadSizeLimitsNameTheOption() {
        for value in ["abc", "-5", "5x", "1e3", "1.2.3", "+1", "1k+2", "1 k"] {
            XCTAssertTrue(usageError(["--max-size=\(value)"]).contains("--max-size"), value)
            XCTAssertTrue(usageError(["--min-size=\(value)"]).contains("--min-size"), value)
        }
    }

    // MARK: --chmod

    func testChmodRulesAreJoined() throws {
        let opts = try parsedOptions(["--chmod=Du+x", "--chmod", "Fg-w,o-r"])
        let chmod = try XCTUnwrap(opts.chmod)
        XCTAssertEqual(chmod.apply(to: 0o644, isDirectory: true), 0o740)
        XCTAssertEqual(chmod.apply(to: 0o664, isDirectory: false), 0o640)
        XCTAssertEqual(try parsedOptions(["--chmod=644"]).chmod?.apply(to: 0o600, isDirectory: false), 0o644)
        XCTAssertNil(try parsedOptions([]).chmod)
        XCTAssertTrue(usageError(["--chmod=bogus"]).contains("--chmod"))
    }

    // MARK: --files-from

    func testFilesFromLines() throws {
        let list = try file("list", "a\n# comment\n; also a comment\n\nsub/b\r\nc")
        let opts = try parsedOptions(["--files-from=\(list)"])
        XCTAssertEqual(opts.filesFrom, [Array("a".utf8), Array("sub/b".utf8), Array("c".utf8)])
    }

    func testFilesFromNulSeparated() throws {
        // With --from0 a carriage return is part of the name, but # and ; still start comments:
        // rsync 3.5.0 `--files-from=l0 --from0` with "#a\0b\r\0\0c\0;d\0" sends only "b\r" and "c".
        let list = try file("list0", Array("#a\0b\r\0\0c\0;d\0".utf8))
        for flag in ["--from0", "-0"] {
            XCTAssertEqual(try parsedOptions(["--files-from", list, flag]).filesFrom, [Array("b\r".utf8), Array("c".utf8)], flag)
        }
    }

    func testFilesFromNeedsExactlyOneSource() throws {
        let list = try file("list", "a\n")
        XCTAssertNotNil(try parsedOptions(["--files-from", list], sourceCount: 1).filesFrom)
        XCTAssertTrue(usageError(["--files-from", list], sourceCount: 2).contains("--files-from"))
        XCTAssertTrue(usageError(["--files-from=\(scratch.path)/missing"]).contains("--files-from"))
    }

    // MARK: Filters

    func testRuleFilesKeepTheirPlaceAmongFilterOptions() throws {
        let excludes = try file("ex", "*.o\n# comment\n")
        let includes = try file("in", "keep.o\n")
        // First match wins, in command-line order.
        let includeFirst = try parsedOptions(["--include=keep.o", "--exclude-from=\(excludes)"]).filters
        XCTAssertFalse(includeFirst.excludesOnSender(Array("keep.o".utf8), isDirectory: false))
        XCTAssertTrue(includeFirst.excludesOnSender(Array("x.o".utf8), isDirectory: false))
        let excludeFirst = try parsedOptions(["--exclude-from", excludes, "--include=keep.o"]).filters
        XCTAssertTrue(excludeFirst.excludesOnSender(Array("keep.o".utf8), isDirectory: false))
        let fromFiles = try parsedOptions(["--include-from=\(includes)", "--exclude", "*.o"]).filters
        XCTAssertFalse(fromFiles.excludesOnSender(Array("keep.o".utf8), isDirectory: false))
        XCTAssertTrue(fromFiles.excludesOnSender(Array("x.o".utf8), isDirectory: false))
        XCTAssertEqual(fromFiles.rules.count, 2, "the comment line is no rule")
    }

    func testRuleFilesWithFrom0() throws {
        // NUL-separated, but a line starting with # is still a comment (rsync 3.5.0).
        let excludes = try file("ex0", Array("a b\0#c\0".utf8))
        let filters = try parsedOptions(["-0", "--exclude-from", excludes]).filters
        XCTAssertTrue(filters.excludesOnSender(Array("a b".utf8), isDirectory: false))
        XCTAssertEqual(filters.rules.count, 1)
    }

    func testMissingRuleFileNamesTheOption() {
        XCTAssertTrue(usageError(["--exclude-from=\(scratch.path)/missing"]).contains("--exclude-from"))
        XCTAssertTrue(usageError(["--include-from", "\(scratch.path)/missing"]).contains("--include-from"))
    }
}

/// Options issue 14 added or changed: --copy-dest, one kind of alternate per run, and the
/// hand-over of `ebs`/`s3` decided by what follows them.
final class AlternateAndSubcommandParsingTests: XCTestCase {
    func testCopyDestIsParsedAndKindsDoNotMix() throws {
        XCTAssertEqual(try parsedOptions(["-a", "--copy-dest=../a", "--copy-dest", "../b"]).copyDest, ["../a", "../b"])
        XCTAssertEqual(try parsedOptions(["-a", "--copy-dest=x"]).alternateDestinations.map(\.kind), [.copy])
        XCTAssertTrue(usageError(["-a", "--link-dest=a", "--compare-dest=b"]).contains("the --link-dest option conflicts with the --compare-dest option"))
        XCTAssertTrue(usageError(["--copy-dest=a", "--link-dest=b"]).contains("conflicts with"))
    }

    func testOnlyASubcommandOfEbsOrS3IsHandedOver() {
        XCTAssertTrue(SwiftsyncMain.namesHTTPSubcommand(["s3", "lifecycle", "get", "s3://b"]))
        XCTAssertTrue(SwiftsyncMain.namesHTTPSubcommand(["ebs", "create-volumes", "--count", "2"]))
        XCTAssertTrue(SwiftsyncMain.namesHTTPSubcommand(["ebs", "--help"]))
        XCTAssertTrue(SwiftsyncMain.namesHTTPSubcommand(["s3"]))
        // A file or directory of that name as a source is a sync.
        XCTAssertFalse(SwiftsyncMain.namesHTTPSubcommand(["ebs", "/backups/"]))
        XCTAssertFalse(SwiftsyncMain.namesHTTPSubcommand(["s3", "dst/"]))
        XCTAssertFalse(SwiftsyncMain.namesHTTPSubcommand(["-a", "s3", "lifecycle"]))
        XCTAssertFalse(SwiftsyncMain.namesHTTPSubcommand([]))
    }
}
