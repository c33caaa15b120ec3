import XCTest
@testable import SyncCore

/// Options against the capabilities of a pair of backends (issue 14, item 3): refused by name,
/// warned of, or honoured, decided before anything is touched.
final class OptionSupportTests: XCTestCase {
    private let local = OptionSupport.Side(name: "local", capabilities: LocalBackend().capabilities)
    private let s3 = OptionSupport.Side(name: "S3", capabilities: [.serverSideCopy, .fileAndDirectoryOfOneName, .streamedListing, .remote])

    private func options(_ change: (inout SyncOptions) -> Void) -> SyncOptions {
        var options = SyncOptions()
        options.setArchive()
        change(&options)
        return options
    }

    func testEveryOptionIsHonouredLocally() {
        let all = options {
            $0.inPlace = true
            $0.wholeFile = false
            $0.partialDirectory = ".part"
            $0.partial = true
            $0.hardLinks = true
            $0.backup = true
            $0.linkDest = ["../prev"]
            $0.removeSourceFiles = true
            $0.bandwidthLimit = 1000
            $0.relative = true
        }
        let support = OptionSupport(options: all, source: local, destination: local)
        XCTAssertEqual(support.refusals, [])
        XCTAssertEqual(support.warnings, [])
        XCTAssertTrue(support.isSupported)
    }

    func testWhatS3CannotDoIsRefusedByNameAndSide() {
        let upload = OptionSupport(options: options { $0.inPlace = true; $0.partialDirectory = ".p"; $0.wholeFile = false },
                                   source: local, destination: s3)
        XCTAssertEqual(upload.refusals.map(\.option), ["--no-whole-file", "--inplace", "--partial-dir"])
        XCTAssertFalse(upload.isSupported)
        XCTAssertEqual(upload.refusals[1].description,
                       "--inplace is not supported with S3 as the destination (an object cannot be rewritten in place); refused rather than ignored")
        // The delta transfer needs both ends local, whichever is S3.
        let download = OptionSupport(options: options { $0.wholeFile = false }, source: s3, destination: local)
        XCTAssertEqual(download.refusals.map { "\($0.option) \($0.side)" }, ["--no-whole-file source"])
        // A local destination can be written in place and keep a partial file, whatever the source.
        let localWrites = OptionSupport(options: options { $0.inPlace = true; $0.partialDirectory = ".p" }, source: s3, destination: local)
        XCTAssertTrue(localWrites.isSupported)
    }

    func testExecutabilityWithoutPermsIsRefusedToS3() {
        let noPerms = options { $0.executability = true; $0.preservePermissions = false }
        let upload = OptionSupport(options: noPerms, source: local, destination: s3)
        XCTAssertEqual(upload.refusals.map { "\($0.option) \($0.side)" }, ["-E/--executability destination"])
        XCTAssertTrue(OptionSupport(options: noPerms, source: s3, destination: local).isSupported)
        XCTAssertTrue(OptionSupport(options: noPerms, source: local, destination: local).isSupported)
        // With -p the whole mode goes as -p sends it; -E adds nothing to refuse.
        XCTAssertTrue(OptionSupport(options: options { $0.executability = true }, source: local, destination: s3).isSupported)
    }

    /// rsync's dest_mode() for an existing file under -E, case by case.
    func testExecutableModeFollowsTheSourceExecuteBits() {
        // A non-executable source clears every execute bit.
        XCTAssertEqual(SyncOptions.executableMode(destination: 0o755, source: 0o644), 0o644)
        XCTAssertEqual(SyncOptions.executableMode(destination: 0o4711, source: 0o600), 0o4600)
        // An executable source: execute wherever there is read, when nobody could execute yet.
        XCTAssertEqual(SyncOptions.executableMode(destination: 0o640, source: 0o700), 0o750)
        XCTAssertEqual(SyncOptions.executableMode(destination: 0o604, source: 0o100), 0o705)
        XCTAssertEqual(SyncOptions.executableMode(destination: 0o200, source: 0o755), 0o200)
        // ...and left alone when someone already can.
        XCTAssertEqual(SyncOptions.executableMode(destination: 0o714, source: 0o755), 0o714)
    }

    func testRelativeIsRefusedFromS3AndHonouredToIt() {
        let download = OptionSupport(options: options { $0.relative = true }, source: s3, destination: local)
        XCTAssertEqual(download.refusals.map { "\($0.option) \($0.side)" }, ["-R/--relative source"])
        XCTAssertTrue(OptionSupport(options: options { $0.relative = true }, source: local, destination: s3).isSupported)
    }

    func testHardLinksAndPartialToS3AreWarnedOfOnce() {
        let upload = OptionSupport(options: options { $0.hardLinks = true; $0.partial = true }, source: local, destination: s3)
        XCTAssertTrue(upload.isSupported)
        XCTAssertEqual(upload.warnings.count, 2)
        XCTAssertTrue(upload.warnings[0].hasPrefix("-H/--hard-links: S3 has no hard links"))
        XCTAssertTrue(upload.warnings[1].hasPrefix("--partial: S3 keeps no partial object"))
        // An S3 source has no hard links to keep: nothing to say.
        XCTAssertEqual(OptionSupport(options: options { $0.hardLinks = true }, source: s3, destination: local).warnings, [])
        // --partial-dir is refused, so --partial (implied) is not warned of as well.
        let both = OptionSupport(options: options { $0.partial = true; $0.partialDirectory = ".p" }, source: local, destination: s3)
        XCTAssertEqual(both.warnings, [])
        XCTAssertEqual(both.refusals.map(\.option), ["--partial-dir"])
    }

    func testAlternateDestinationsKeepRsyncsOrderOfKinds() {
        let opts = options { $0.linkDest = ["l"]; $0.compareDest = ["c"] }
        XCTAssertEqual(opts.alternateDestinations.map(\.kind), [.compare, .link])
        XCTAssertEqual(options { $0.copyDest = ["x", "y"] }.alternateDestinations.map(\.paths), [["x", "y"]])
        XCTAssertTrue(SyncOptions().alternateDestinations.isEmpty)
    }
}

extension OptionSupportTests {
    func testALocalPathForARemoteDestinationsBackupsIsRefused() {
        let absolute = OptionSupport(options: options { $0.backup = true; $0.backupDirectory = "/var/old"; $0.copyDest = ["/prev", "../ok"] },
                                     source: local, destination: s3)
        XCTAssertEqual(absolute.refusals.map(\.option), ["--backup-dir=/var/old", "--copy-dest=/prev"])
        let relative = OptionSupport(options: options { $0.backup = true; $0.backupDirectory = "../old"; $0.linkDest = ["s3://b/prev/"] },
                                     source: local, destination: s3)
        XCTAssertTrue(relative.isSupported)
        XCTAssertTrue(OptionSupport(options: options { $0.backupDirectory = "/var/old" }, source: s3, destination: local).isSupported)
    }
}
