import XCTest

import S3
import SyncCore

final class S3OptionSupportTests: XCTestCase {
    func testDirectionFromPaths() {
        XCTAssertEqual(S3OptionSupport.Direction(source: "dir/", destination: "s3://b/p/"), .upload)
        XCTAssertEqual(S3OptionSupport.Direction(source: "s3://b/p/", destination: "dir/"), .download)
        XCTAssertEqual(S3OptionSupport.Direction(source: "s3://b/p/", destination: "s3://c/"), .copy)
        XCTAssertNil(S3OptionSupport.Direction(source: "a/", destination: "b/"))
    }

    func testPlainArchiveSyncIsSupported() {
        var options = SyncOptions()
        options.setArchive()
        options.delete = .during
        options.checksum = true
        options.partial = true
        options.sparse = true
        for direction in [S3OptionSupport.Direction.upload, .download, .copy] {
            XCTAssertEqual(S3OptionSupport.unsupported(in: options, direction: direction), [])
        }
    }

    func testEveryIgnoredOptionIsNamed() {
        var options = SyncOptions()
        options.setArchive()
        options.backup = true
        options.backupDirectory = "../old"
        options.linkDest = ["../prev"]
        options.compareDest = ["../cmp"]
        options.filesFrom = [Array("a".utf8)]
        options.oneFileSystem = true
        options.chmod = try? ChmodRules("u+x")
        options.inPlace = true
        options.partialDirectory = ".partial"
        options.wholeFile = false
        options.removeSourceFiles = true
        options.bandwidthLimit = 1000
        XCTAssertEqual(S3OptionSupport.unsupported(in: options, direction: .upload), [
            "--backup-dir", "--link-dest", "--compare-dest", "--files-from", "--chmod",
            "--inplace", "--partial-dir", "--no-whole-file", "--remove-source-files", "--bwlimit",
        ])
        // -x is honoured (an upload stays on the source's filesystem; an S3 source has none).
        XCTAssertFalse(S3OptionSupport.unsupported(in: options, direction: .upload).contains("-x/--one-file-system"))
        var suffixOnly = SyncOptions()
        suffixOnly.backupSuffix = ".bak"
        XCTAssertEqual(S3OptionSupport.unsupported(in: suffixOnly, direction: .copy), ["-b/--backup"])
        XCTAssertTrue(S3OptionSupport.refusal(["--inplace"]).hasPrefix("--inplace is not supported"))
        XCTAssertTrue(S3OptionSupport.refusal(["--inplace", "--bwlimit"]).hasPrefix("--inplace, --bwlimit are not supported"))
    }

    func testHardLinksWarnOnUploadOnly() {
        var options = SyncOptions()
        options.hardLinks = true
        XCTAssertNotNil(S3OptionSupport.warning(for: options, direction: .upload))
        XCTAssertNil(S3OptionSupport.warning(for: options, direction: .download))
        XCTAssertNil(S3OptionSupport.warning(for: options, direction: .copy))
        XCTAssertEqual(S3OptionSupport.unsupported(in: options, direction: .upload), [])
    }
}
