import Foundation
import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Whole runs of the library's engine on small temp trees. The real rsync is the oracle:
/// it checks the resulting trees, and its `--stats`, exit codes and `-i` lines are what ours
/// must equal.
class SyncEngineTests: XCTestCase {
    private let output = QuietOutput()
    /// Whether the engine walks one directory at a time in key order (as for S3).
    class var sequentialWalk: Bool { false }

    private func archiveOptions(_ configure: (inout SyncOptions) -> Void = { _ in }) -> SyncOptions {
        var options = SyncOptions()
        options.setArchive()
        configure(&options)
        return options
    }

    private func sync(_ sources: [String], _ destination: String, _ options: SyncOptions,
                      reporter: SyncReporter? = nil) async -> (ExitCode, SyncReporter) {
        var options = options
        options.sequentialWalk = Self.sequentialWalk
        let reporter = reporter ?? output.reporter()
        let engine = SyncEngine(options: options, reporter: reporter)
        let code = await withDeadline(30) { await engine.run(sources: sources, destination: destination) }
        reporter.flush()
        guard let code else {
            XCTFail("the engine did not finish within 30 s")
            return (.timeout, reporter)
        }
        return (code, reporter)
    }

    /// A small tree with the usual suspects.
    private func makeSourceTree(_ src: String) {
        makeDirectories(src + "/sub/deeper")
        makeDirectories(src + "/empty")
        writeFile(src + "/a.txt", "ten bytes!", mtime: FileTime(seconds: 1_600_000_000))
        writeFile(src + "/sub/b.bin", pseudoRandomBytes(2000), mode: 0o600, mtime: FileTime(seconds: 1_600_000_100, nanoseconds: 5))
        writeFile(src + "/sub/deeper/c", "", mtime: FileTime(seconds: 1_500_000_000))
        writeFile(src + "/new\nline", "odd name")
        writeFile(src + "/x.o", "object")
        symlink("sub/b.bin", src + "/link")
        setTimes(src + "/sub/deeper", mtime: FileTime(seconds: 1_400_000_000))
    }

    /// `rsync -a --stats` numbers, by label.
    private func rsyncStatistics(_ output: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let label = String(line[..<colon])
            let rest = line[line.index(after: colon)...].drop { $0 == " " }
            let digits = rest.prefix { $0.isNumber || $0 == "," }.filter { $0 != "," }
            if let value = Int64(digits) { result[label] = value }
            if label == "Number of files", let open = rest.firstIndex(of: "(") {
                for part in rest[rest.index(after: open)...].dropLast().split(separator: ",") {
                    let kv = part.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                    if kv.count == 2, let v = Int64(kv[1].filter { $0 != "," }) { result["files." + kv[0]] = v }
                }
            }
        }
        return result
    }

    // MARK: Copies

    func testCopiesATreeAndCountsLikeRsync() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst")
        makeSourceTree(src)
        let oracle = rsync(["-a", "-n", "--stats", src + "/", tmp("rsync-dst") + "/"])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let expected = rsyncStatistics(oracle.stdout)

        let (code, reporter) = await sync([src + "/"], dst, archiveOptions())
        XCTAssertEqual(code, .success)
        XCTAssertEqual(treeDifferences(src, dst), "", "rsync -a -c --delete still sees differences")
        let stats = reporter.statistics
        XCTAssertEqual(stats[.files], expected["Number of files"], "Number of files")
        XCTAssertEqual(stats[.regularFiles], expected["files.reg"], "reg")
        XCTAssertEqual(stats[.directories], expected["files.dir"], "dir")
        XCTAssertEqual(stats[.symlinks], expected["files.link"], "link")
        XCTAssertEqual(stats[.regularTransferred], expected["Number of regular files transferred"], "regular files transferred")
        XCTAssertEqual(stats[.totalFileSize], expected["Total file size"], "total file size")
        XCTAssertEqual(stats[.created], expected["Number of created files"], "created files")
        XCTAssertEqual(stats[.errors], 0)
    }

    func testASecondRunTransfersNothing() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst")
        makeSourceTree(src)
        let (first, _) = await sync([src + "/"], dst, archiveOptions())
        XCTAssertEqual(first, .success)
        let before = linkStatus(dst + "/sub/b.bin")
        let (second, reporter) = await sync([src + "/"], dst, archiveOptions())
        XCTAssertEqual(second, .success)
        XCTAssertEqual(reporter.statistics[.regularTransferred], 0)
        XCTAssertEqual(reporter.statistics[.created], 0)
        XCTAssertEqual(reporter.statistics[.deleted], 0)
        XCTAssertEqual(linkStatus(dst + "/sub/b.bin")?.inode, before?.inode, "an up-to-date file was rewritten")
        XCTAssertEqual(treeDifferences(src, dst), "")
    }

    func testSourceDirectoryByNameIsCreatedInsideTheDestination() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst")
        makeSourceTree(src)
        let (code, _) = await sync([src], dst, archiveOptions())
        XCTAssertEqual(code, .success)
        XCTAssertEqual(directoryNames(dst), ["src"])
        XCTAssertEqual(treeDifferences(src, dst + "/src"), "")
    }

    func testSingleFileToANewName() async throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("one.txt"), "single", mtime: FileTime(seconds: 1_234_567_890))
        makeDirectories(tmp("out"))
        let (code, reporter) = await sync([tmp("one.txt")], tmp("out/renamed.txt"), archiveOptions())
        XCTAssertEqual(code, .success)
        XCTAssertEqual(readText(tmp("out/renamed.txt")), "single")
        XCTAssertEqual(linkStatus(tmp("out/renamed.txt"))?.mtime, FileTime(seconds: 1_234_567_890))
        XCTAssertEqual(directoryNames(tmp("out")), ["renamed.txt"])
        XCTAssertEqual(reporter.statistics[.regularTransferred], 1)
    }

    /// The new name is what the file meets: a file of the source's name in the destination
    /// directory, same size and time, used to be taken for it and nothing was copied.
    func testSingleFileToANewNameBesideAFileOfItsOwnName() async throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("a.txt"), "new", mtime: FileTime(seconds: 1_600_000_000))
        makeDirectories(tmp("d"))
        writeFile(tmp("d/a.txt"), "old", mtime: FileTime(seconds: 1_600_000_000))
        let (code, reporter) = await sync([tmp("a.txt")], tmp("d/b.txt"), archiveOptions())
        XCTAssertEqual(code, .success)
        XCTAssertEqual(readText(tmp("d/b.txt")), "new")
        XCTAssertEqual(readText(tmp("d/a.txt")), "old")
        XCTAssertEqual(reporter.statistics[.regularTransferred], 1)
    }

    // MARK: Exit codes

    func testMissingSourceIsAPartialTransferLikeRsync() async throws {
        let tmp = try TemporaryDirectory()
        let missing = tmp("missing") + "/"
        let oracle = rsync(["-a", missing, tmp("rsync-dst") + "/"])
        let (code, reporter) = await sync([missing], tmp("dst"), archiveOptions())
        XCTAssertEqual(code, .partialTransfer)
        XCTAssertEqual(code.rawValue, oracle.status, "rsync's exit code")
        XCTAssertGreaterThanOrEqual(reporter.statistics[.errors], 1)
    }

    func testOneMissingSourceOfTwoStillCopiesTheOther() async throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("present.txt"), "here")
        makeDirectories(tmp("dst"))
        makeDirectories(tmp("rsync-dst"))
        let oracle = rsync(["-a", tmp("absent.txt"), tmp("present.txt"), tmp("rsync-dst") + "/"])
        let (code, _) = await sync([tmp("absent.txt"), tmp("present.txt")], tmp("dst") + "/", archiveOptions())
        XCTAssertEqual(code.rawValue, oracle.status)
        XCTAssertEqual(code, .partialTransfer)
        XCTAssertEqual(readText(tmp("dst/present.txt")), "here")
        // Neither tool sets the destination directory's time here (the sources are files): it is
        // whenever each created present.txt, which may fall in different seconds.
        var fixed = utimbuf(actime: 1_700_000_000, modtime: 1_700_000_000)
        for root in [tmp("rsync-dst"), tmp("dst")] { XCTAssertEqual(utime(root, &fixed), 0) }
        XCTAssertEqual(treeDifferences(tmp("rsync-dst"), tmp("dst")), "")
    }

    func testMaxDeleteStopsDeletionsLikeRsync() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst"), twin = tmp("twin")
        makeSourceTree(src)
        for d in [dst, twin] {
            XCTAssertEqual(rsync(["-a", src + "/", d + "/"]).status, 0)
            for i in 1...5 { writeFile(d + "/extra\(i)", "e") }
            writeFile(d + "/sub/extra", "e")
        }
        let oracle = rsync(["-a", "--delete", "--max-delete=2", src + "/", twin + "/"])
        let (code, reporter) = await sync([src + "/"], dst, archiveOptions { $0.delete = .during; $0.maxDelete = 2 })
        XCTAssertEqual(code, .maxDeleteReached)
        XCTAssertEqual(code.rawValue, oracle.status, "rsync's exit code")
        XCTAssertEqual(reporter.statistics[.deleted], 2)
        XCTAssertEqual(reporter.statistics[.deletionsSkipped], 4)
        if Self.sequentialWalk {
            // One directory at a time, a directory's files go once its subdirectories are
            // walked, so the two names deleted are others than rsync's; still two of the six.
            let left = directoryNames(dst).filter { $0.hasPrefix("extra") } + directoryNames(dst + "/sub").filter { $0 == "extra" }
            XCTAssertEqual(left.count, 4)
        } else {
            // The same two names are gone as with rsync.
            XCTAssertEqual(directoryNames(dst), directoryNames(twin))
            XCTAssertEqual(directoryNames(dst + "/sub"), directoryNames(twin + "/sub"))
        }
    }

    // MARK: Dry run

    func testDryRunChangesNothingButCountsLikeRsync() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst"), snapshot = tmp("snapshot")
        makeSourceTree(src)
        XCTAssertEqual(rsync(["-a", src + "/", dst + "/"]).status, 0)
        writeFile(src + "/a.txt", "changed!!!", mtime: FileTime(seconds: 1_700_000_000))
        writeFile(src + "/brand-new", "new")
        makeDirectories(src + "/new-dir/inside")
        writeFile(src + "/new-dir/inside/f", "f")
        writeFile(dst + "/stale", "old")
        makeDirectories(dst + "/stale-dir")
        writeFile(dst + "/stale-dir/f", "old")
        chmod(src + "/sub/b.bin", 0o640)
        XCTAssertEqual(rsync(["-a", dst + "/", snapshot + "/"]).status, 0)

        let oracle = rsync(["-a", "-n", "--delete", "--stats", src + "/", dst + "/"])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let expected = rsyncStatistics(oracle.stdout)

        let (code, reporter) = await sync([src + "/"], dst, archiveOptions { $0.dryRun = true; $0.delete = .during })
        XCTAssertEqual(code, .success)
        XCTAssertEqual(treeDifferences(snapshot, dst), "", "a dry run changed the destination")
        XCTAssertFalse(exists(dst + "/brand-new"))
        XCTAssertTrue(exists(dst + "/stale-dir/f"))
        XCTAssertEqual(reporter.statistics[.regularTransferred], expected["Number of regular files transferred"])
        XCTAssertEqual(reporter.statistics[.deleted], expected["Number of deleted files"])
        XCTAssertEqual(reporter.statistics[.created], expected["Number of created files"])
    }

    func testDryRunIntoAMissingDestinationCreatesNothing() async throws {
        let tmp = try TemporaryDirectory()
        makeSourceTree(tmp("src"))
        let (code, reporter) = await sync([tmp("src") + "/"], tmp("not/there"), archiveOptions { $0.dryRun = true })
        XCTAssertEqual(code, .success)
        XCTAssertFalse(exists(tmp("not")))
        XCTAssertEqual(reporter.statistics[.regularTransferred], 5)
    }

    // MARK: Filters and deletion against rsync

    /// Directories that only the destination has keep whatever time their last change gave
    /// them, in rsync's run and in ours alike; give both copies one fixed time so the
    /// comparison does not depend on the clock.
    private func equalizeDestinationOnlyDirectoryTimes(source: String, _ a: String, _ b: String, relative: String = "") {
        for name in directoryNames(a + relative) {
            let path = relative + "/" + name
            guard linkStatus(a + path)?.kind == .directory else { continue }
            if linkStatus(source + path)?.kind != .directory {
                setTimes(a + path, mtime: FileTime(seconds: 1_000_000_000))
                if linkStatus(b + path)?.kind == .directory { setTimes(b + path, mtime: FileTime(seconds: 1_000_000_000)) }
            }
            equalizeDestinationOnlyDirectoryTimes(source: source, a, b, relative: path)
        }
    }

    /// Runs rsync with `rsyncArguments` on a twin of the destination and compares the trees.
    private func assertSameOutcomeAsRsync(_ rsyncArguments: [String], _ options: SyncOptions, compareArguments: [String] = [],
                                          prepare: (_ src: String, _ dst: String) -> Void,
                                          file: StaticString = #filePath, line: UInt = #line) async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst"), twin = tmp("twin")
        makeSourceTree(src)
        makeDirectories(dst)
        prepare(src, dst)
        XCTAssertEqual(rsync(["-a", dst + "/", twin + "/"], file: file, line: line).status, 0, file: file, line: line)
        let oracle = rsync(["-a"] + rsyncArguments + [src + "/", twin + "/"], file: file, line: line)
        let (code, _) = await sync([src + "/"], dst, options)
        XCTAssertEqual(code.rawValue, oracle.status, "exit code (rsync said: \(oracle.stderr))", file: file, line: line)
        equalizeDestinationOnlyDirectoryTimes(source: src, twin, dst)
        XCTAssertEqual(treeDifferences(twin, dst, extra: compareArguments, file: file, line: line), "", "the trees differ from rsync's result",
                       file: file, line: line)
    }

    private func staleDestination(_ src: String, _ dst: String) {
        XCTAssertEqual(rsync(["-a", "--exclude=a.txt", src + "/", dst + "/"]).status, 0)
        writeFile(dst + "/x.o", "old object")
        writeFile(dst + "/gone.o", "deleted object")
        writeFile(dst + "/gone.txt", "deleted text")
        makeDirectories(dst + "/olddir/inner")
        writeFile(dst + "/olddir/inner/keep.o", "o")
        writeFile(dst + "/olddir/inner/t", "t")
        writeFile(dst + "/sub/stale", "s")
    }

    private func filters(_ rules: [String], deleteExcluded: Bool = false) -> FilterList {
        var list = FilterList()
        for rule in rules { try! FilterParser.add(rule, as: .filter, deleteExcluded: deleteExcluded, to: &list) }
        return list
    }

    func testDeleteWithExcludesMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["--delete", "--exclude=*.o"],
                                           archiveOptions { $0.delete = .during; $0.filters = filters(["- *.o"]) },
                                           prepare: staleDestination)
    }

    func testDeleteExcludedMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["--delete", "--delete-excluded", "--exclude=*.o"],
                                           archiveOptions { $0.delete = .during; $0.deleteExcluded = true; $0.filters = filters(["- *.o"], deleteExcluded: true) },
                                           prepare: staleDestination)
    }

    func testProtectRuleMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["--delete", "--filter=P gone.*", "--filter=- x.o"],
                                           archiveOptions { $0.delete = .during; $0.filters = filters(["P gone.*", "- x.o"]) },
                                           prepare: staleDestination)
    }

    func testDeleteAfterMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["--delete-after"], archiveOptions { $0.delete = .after }, prepare: staleDestination)
    }

    func testChecksumFindsSameSizeSameTimeChangesLikeRsync() async throws {
        let prepare: (String, String) -> Void = { src, dst in
            XCTAssertEqual(rsync(["-a", src + "/", dst + "/"]).status, 0)
            // Same size and mtime, different bytes: only -c notices.
            writeFile(dst + "/a.txt", "TEN BYTES!", mtime: FileTime(seconds: 1_600_000_000))
        }
        try await assertSameOutcomeAsRsync([], archiveOptions(), prepare: prepare)
        try await assertSameOutcomeAsRsync(["-c"], archiveOptions { $0.checksum = true }, prepare: prepare)
    }

    private func typeChanges(_ src: String, _ dst: String) {
        XCTAssertEqual(rsync(["-a", src + "/", dst + "/"]).status, 0)
        // Where the source has a file, the destination has a non-empty directory, and the
        // other way round; a symlink where a file was.
        unlink(dst + "/a.txt")
        makeDirectories(dst + "/a.txt/inside")
        writeFile(dst + "/a.txt/inside/f", "f")
        FileSystem.removeTreeForTest(dst + "/sub/deeper")
        writeFile(dst + "/sub/deeper", "was a directory")
        unlink(dst + "/x.o")
        symlink("nowhere", dst + "/x.o")
    }

    func testTypeChangesWithDeleteMatchRsync() async throws {
        try await assertSameOutcomeAsRsync(["--delete"], archiveOptions { $0.delete = .during }, prepare: typeChanges)
    }

    func testTypeChangesWithoutDeleteMatchRsync() async throws {
        try await assertSameOutcomeAsRsync([], archiveOptions(), prepare: typeChanges)
    }

    private func olderAndNewer(_ src: String, _ dst: String) {
        XCTAssertEqual(rsync(["-a", src + "/", dst + "/"]).status, 0)
        writeFile(dst + "/a.txt", "newer on the destination", mtime: FileTime(seconds: 1_800_000_000))
        writeFile(dst + "/sub/b.bin", "older", mtime: FileTime(seconds: 1_000_000_000))
        unlink(dst + "/x.o")
    }

    func testUpdateMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["-u"], archiveOptions { $0.update = true }, prepare: olderAndNewer)
    }

    func testIgnoreExistingMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["--ignore-existing"], archiveOptions { $0.ignoreExisting = true }, prepare: olderAndNewer)
    }

    func testExistingOnlyMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["--existing"], archiveOptions { $0.existingOnly = true }, prepare: olderAndNewer)
    }

    /// Directory times are left out: with `-b --delete` rsync itself leaves the times of
    /// directories that received backups at "now" (its backups happen after it set them), so
    /// its result depends on the clock. Ours restores them; the contents must agree.
    func testBackupMatchesRsync() async throws {
        try await assertSameOutcomeAsRsync(["-b", "--delete"], archiveOptions { $0.backup = true; $0.delete = .during },
                                           compareArguments: ["--omit-dir-times"], prepare: staleDestination)
    }

    func testHardLinksMatchRsync() async throws {
        try await assertSameOutcomeAsRsync(["-H"], archiveOptions { $0.hardLinks = true }) { src, dst in
            link(src + "/a.txt", src + "/sub/hard-a")
            link(src + "/a.txt", src + "/zz-hard-a")
        }
    }

    /// `--sparse --inplace` over an existing file must leave exactly the source's bytes.
    func testSparseInPlaceUpdateMatchesRsync() async throws {
        let size = 4 << 20
        try await assertSameOutcomeAsRsync(["--sparse", "--inplace"], archiveOptions { $0.sparse = true; $0.inPlace = true }) { src, dst in
            let fd = open(src + "/holes", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            ftruncate(fd, off_t(size))
            _ = pseudoRandomBytes(4096).withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(2 << 20)) }
            close(fd)
            setTimes(src + "/holes", mtime: FileTime(seconds: 1_650_000_000))
            writeFile(dst + "/holes", [UInt8](repeating: 0xAB, count: size), mtime: FileTime(seconds: 1_000_000_000))
        }
    }

    // MARK: Itemized output against rsync

    /// Runs rsync `-i` on a twin of the destination and ours with itemizing on, and compares
    /// the lines (as sets: our workers finish in any order) and the resulting trees.
    private func assertSameItemizeAsRsync(_ rsyncArguments: [String], _ options: SyncOptions,
                                          prepare: (_ src: String, _ dst: String) -> Void,
                                          file: StaticString = #filePath, line: UInt = #line) async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst"), twin = tmp("twin")
        makeSourceTree(src)
        makeDirectories(dst)
        prepare(src, dst)
        XCTAssertEqual(rsync(["-a", dst + "/", twin + "/"], file: file, line: line).status, 0, file: file, line: line)
        let oracle = rsync(["-a", "-i"] + rsyncArguments + [src + "/", twin + "/"], file: file, line: line)
        let capture = tmp("itemized.txt")
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var reporterOptions = SyncReporter.Options()
        reporterOptions.itemize = true
        let reporter = SyncReporter(options: reporterOptions, out: OutputSink(fd: fd), err: OutputSink(fd: output.errFD))
        let (code, _) = await sync([src + "/"], dst, options, reporter: reporter)
        close(fd)
        XCTAssertEqual(code.rawValue, oracle.status, "exit code (rsync said: \(oracle.stderr))", file: file, line: line)
        let ours = (readText(capture) ?? "").split(separator: "\n").map(String.init).sorted()
        let theirs = oracle.stdout.split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(ours, theirs, "ours minus rsync's: \(Set(ours).subtracting(theirs).sorted()), rsync's minus ours: \(Set(theirs).subtracting(ours).sorted())",
                       file: file, line: line)
        equalizeDestinationOnlyDirectoryTimes(source: src, twin, dst)
        XCTAssertEqual(treeDifferences(twin, dst, file: file, line: line), "", file: file, line: line)
    }

    func testItemizedDryRunMatchesRsync() async throws {
        try await assertSameItemizeAsRsync(["-n", "--delete"], archiveOptions { $0.dryRun = true; $0.delete = .during }, prepare: staleDestination)
    }

    func testItemizedDeleteWithFiltersMatchesRsync() async throws {
        try await assertSameItemizeAsRsync(["--delete", "--exclude=*.o"],
                                           archiveOptions { $0.delete = .during; $0.filters = filters(["- *.o"]) },
                                           prepare: staleDestination)
    }

    func testItemizedTypeChangesMatchRsync() async throws {
        try await assertSameItemizeAsRsync(["--delete"], archiveOptions { $0.delete = .during }, prepare: typeChanges)
    }

    func testItemizedHardLinksInOneDirectoryMatchRsync() async throws {
        try await assertSameItemizeAsRsync(["-H"], archiveOptions { $0.hardLinks = true }) { src, _ in
            link(src + "/a.txt", src + "/hard-a")
            link(src + "/a.txt", src + "/zz-hard-a")
        }
    }

    /// Across directories rsync names as the data carrier the group's last name in its own
    /// transfer order (files of a directory before its subdirectories).
    func testItemizedHardLinksAcrossDirectoriesMatchRsync() async throws {
        try await assertSameItemizeAsRsync(["-H"], archiveOptions { $0.hardLinks = true }) { src, _ in
            link(src + "/a.txt", src + "/sub/hard-a")
            link(src + "/a.txt", src + "/zz-hard-a")
            link(src + "/sub/b.bin", src + "/sub/deeper/hard-b")
            link(src + "/sub/b.bin", src + "/b-hard")
        }
    }

    /// Whatever the lines say, the result is one inode with every name, and the lines are one
    /// `>f` plus `hf ... => that name` for the others.
    func testHardLinksAcrossDirectoriesMakeOneInode() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst")
        makeSourceTree(src)
        link(src + "/a.txt", src + "/sub/hard-a")
        link(src + "/a.txt", src + "/zz-hard-a")
        let capture = tmp("itemized.txt")
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var reporterOptions = SyncReporter.Options()
        reporterOptions.itemize = true
        let reporter = SyncReporter(options: reporterOptions, out: OutputSink(fd: fd), err: OutputSink(fd: output.errFD))
        let (code, _) = await sync([src + "/"], dst, archiveOptions { $0.hardLinks = true }, reporter: reporter)
        close(fd)
        XCTAssertEqual(code, .success)
        let names = ["a.txt", "sub/hard-a", "zz-hard-a"]
        let lines = (readText(capture) ?? "").split(separator: "\n").map(String.init)
        let carriers = lines.filter { line in names.contains { line == ">f+++++++++ " + $0 } }
        XCTAssertEqual(carriers.count, 1, "\(lines)")
        let carrier = String(carriers.first?.dropFirst(12) ?? "")
        for name in names where name != carrier {
            XCTAssertTrue(lines.contains("hf+++++++++ \(name) => \(carrier)"), "\(lines)")
        }
        var inodes = Set<UInt64>()
        for name in names {
            var st = stat()
            XCTAssertEqual(lstat(dst + "/" + name, &st), 0)
            inodes.insert(UInt64(st.st_ino))
        }
        XCTAssertEqual(inodes.count, 1)
        XCTAssertEqual(rsync(["-aH", "-c", "-n", "-i", "--delete", src + "/", dst + "/"]).stdout, "")
    }

    func testItemizedIntoAnEmptyDestinationMatchesRsync() async throws {
        try await assertSameItemizeAsRsync([], archiveOptions()) { _, _ in }
    }

    func testItemizedLinesMatchRsync() async throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst"), twin = tmp("twin")
        makeSourceTree(src)
        XCTAssertEqual(rsync(["-a", src + "/", dst + "/"]).status, 0)
        writeFile(src + "/a.txt", "now eleven!", mtime: FileTime(seconds: 1_700_000_000))     // size and time
        setTimes(src + "/sub/deeper/c", mtime: FileTime(seconds: 1_700_000_001))             // time only
        chmod(src + "/sub/b.bin", 0o644)                                                      // permissions
        writeFile(src + "/fresh", "new file")                                                 // new
        makeDirectories(src + "/fresh-dir")                                                   // new directory
        unlink(src + "/link")
        symlink("a.txt", src + "/link")                                                       // new target
        writeFile(dst + "/obsolete", "x")                                                     // deleted
        XCTAssertEqual(rsync(["-a", dst + "/", twin + "/"]).status, 0)

        let oracle = rsync(["-a", "-i", "--delete", src + "/", twin + "/"])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)

        let capture = tmp("itemized.txt")
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var reporterOptions = SyncReporter.Options()
        reporterOptions.itemize = true
        let reporter = SyncReporter(options: reporterOptions, out: OutputSink(fd: fd), err: OutputSink(fd: output.errFD))
        let (code, _) = await sync([src + "/"], dst, archiveOptions { $0.delete = .during }, reporter: reporter)
        close(fd)
        XCTAssertEqual(code, .success)
        let ours = (readText(capture) ?? "").split(separator: "\n").map(String.init).sorted()
        let theirs = oracle.stdout.split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(ours, theirs)
        XCTAssertEqual(treeDifferences(twin, dst), "")
    }
}

/// Every engine test again, with the walk a streamed listing gets (one directory at a time, in
/// key order, subdirectories inline): both walks must decide alike. (Test discovery on Linux
/// finds only methods a class declares itself, hence the list; the last test checks it is whole.)
final class SequentialWalkSyncEngineTests: SyncEngineTests {
    override class var sequentialWalk: Bool { true }

    override func testCopiesATreeAndCountsLikeRsync() async throws { try await super.testCopiesATreeAndCountsLikeRsync() }
    override func testASecondRunTransfersNothing() async throws { try await super.testASecondRunTransfersNothing() }
    override func testSourceDirectoryByNameIsCreatedInsideTheDestination() async throws { try await super.testSourceDirectoryByNameIsCreatedInsideTheDestination() }
    override func testSingleFileToANewName() async throws { try await super.testSingleFileToANewName() }
    override func testSingleFileToANewNameBesideAFileOfItsOwnName() async throws { try await super.testSingleFileToANewNameBesideAFileOfItsOwnName() }
    override func testMissingSourceIsAPartialTransferLikeRsync() async throws { try await super.testMissingSourceIsAPartialTransferLikeRsync() }
    override func testOneMissingSourceOfTwoStillCopiesTheOther() async throws { try await super.testOneMissingSourceOfTwoStillCopiesTheOther() }
    override func testMaxDeleteStopsDeletionsLikeRsync() async throws { try await super.testMaxDeleteStopsDeletionsLikeRsync() }
    override func testDryRunChangesNothingButCountsLikeRsync() async throws { try await super.testDryRunChangesNothingButCountsLikeRsync() }
    override func testDryRunIntoAMissingDestinationCreatesNothing() async throws { try await super.testDryRunIntoAMissingDestinationCreatesNothing() }
    override func testDeleteWithExcludesMatchesRsync() async throws { try await super.testDeleteWithExcludesMatchesRsync() }
    override func testDeleteExcludedMatchesRsync() async throws { try await super.testDeleteExcludedMatchesRsync() }
    override func testProtectRuleMatchesRsync() async throws { try await super.testProtectRuleMatchesRsync() }
    override func testDeleteAfterMatchesRsync() async throws { try await super.testDeleteAfterMatchesRsync() }
    override func testChecksumFindsSameSizeSameTimeChangesLikeRsync() async throws { try await super.testChecksumFindsSameSizeSameTimeChangesLikeRsync() }
    override func testTypeChangesWithDeleteMatchRsync() async throws { try await super.testTypeChangesWithDeleteMatchRsync() }
    override func testTypeChangesWithoutDeleteMatchRsync() async throws { try await super.testTypeChangesWithoutDeleteMatchRsync() }
    override func testUpdateMatchesRsync() async throws { try await super.testUpdateMatchesRsync() }
    override func testIgnoreExistingMatchesRsync() async throws { try await super.testIgnoreExistingMatchesRsync() }
    override func testExistingOnlyMatchesRsync() async throws { try await super.testExistingOnlyMatchesRsync() }
    override func testBackupMatchesRsync() async throws { try await super.testBackupMatchesRsync() }
    override func testHardLinksMatchRsync() async throws { try await super.testHardLinksMatchRsync() }
    override func testSparseInPlaceUpdateMatchesRsync() async throws { try await super.testSparseInPlaceUpdateMatchesRsync() }
    override func testItemizedDryRunMatchesRsync() async throws { try await super.testItemizedDryRunMatchesRsync() }
    override func testItemizedDeleteWithFiltersMatchesRsync() async throws { try await super.testItemizedDeleteWithFiltersMatchesRsync() }
    override func testItemizedTypeChangesMatchRsync() async throws { try await super.testItemizedTypeChangesMatchRsync() }
    override func testItemizedHardLinksInOneDirectoryMatchRsync() async throws { try await super.testItemizedHardLinksInOneDirectoryMatchRsync() }
    override func testItemizedHardLinksAcrossDirectoriesMatchRsync() async throws { try await super.testItemizedHardLinksAcrossDirectoriesMatchRsync() }
    override func testHardLinksAcrossDirectoriesMakeOneInode() async throws { try await super.testHardLinksAcrossDirectoriesMakeOneInode() }
    override func testItemizedIntoAnEmptyDestinationMatchesRsync() async throws { try await super.testItemizedIntoAnEmptyDestinationMatchesRsync() }
    override func testItemizedLinesMatchRsync() async throws { try await super.testItemizedLinesMatchRsync() }

    func testEveryEngineTestRunsInBothWalks() throws {
        let text = try String(contentsOfFile: #filePath, encoding: .utf8)
        func names(_ pattern: String) throws -> Set<String> {
            let regex = try NSRegularExpression(pattern: pattern)
            return Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                String(text[Range($0.range(at: 1), in: text)!])
            })
        }
        let declared = try names("\\n    func (test\\w+)\\(\\) async throws")
        let overridden = try names("override func (test\\w+)\\(\\)")
        XCTAssertFalse(declared.isEmpty)
        XCTAssertEqual(declared.subtracting(overridden), [], "engine tests not run with the sequential walk")
    }
}
