import SyncCore
import XCTest
@testable import S3
import SyncSystem

final class FlatTreePlannerTests: XCTestCase {
    private func file(_ path: String, size: Int64 = 10, mtime: Int64 = 1000, ctime: Int64 = 1000, etag: String? = nil) -> FlatEntry {
        FlatEntry(path: Array(path.utf8), kind: .file, size: size, mtime: FileTime(seconds: mtime), changeTime: FileTime(seconds: ctime), etag: etag)
    }

    private func rules(_ texts: [String], deleteExcluded: Bool = false) throws -> FilterList {
        var list = FilterList()
        for text in texts { try FilterParser.add(text, as: .filter, deleteExcluded: deleteExcluded, to: &list) }
        return list
    }

    private func dir(_ path: String, implicit: Bool = false) -> FlatEntry {
        FlatEntry(path: Array(path.utf8), kind: .directory, implicit: implicit)
    }

    /// The plan as short strings: "+path" transfer of a new file, "~path codes" a changed one,
    /// "d path" a directory, "-path" a deletion, "=path" a skip.
    private func plan(_ direction: FlatTreePlanner.Direction, _ source: [FlatEntry], _ destination: [FlatEntry],
                      options: SyncOptions = SyncOptions(), directoryKeys: Bool = false, skips: Bool = false,
                      differ: Bool = true) -> [String] {
        FlatTreePlanner(direction: direction, options: options, directoryKeys: directoryKeys, reportsSkips: skips)
            .plan(source: FlatTree.sorted(source), destination: FlatTree.sorted(destination)) { _, _ in differ }
            .map { action in
                switch action {
                case .transfer(let s, let d, let change): d == nil ? "+\(s.text)" : "~\(s.text) \(change.code)"
                case .makeDirectory(let e): "d \(e.text)"
                case .delete(let e): "-\(e.text)"
                case .skip(let e, let reason): "=\(e.text) \(reason)"
                case .conflict(let e, let conflict): "!\(e.text) \(conflict)"
                }
            }
    }

    func testUploadQuickCheckBySizeAndTime() {
        let source = [file("a", size: 1), file("b", size: 5, mtime: 2000), file("c", mtime: 500), file("d")]
        let destination = [file("b", size: 5, mtime: 1500), file("c", mtime: 900), file("d", size: 11, mtime: 2000)]
        // b is newer than its object; c older (unchanged); d another size.
        XCTAssertEqual(plan(.upload, source, destination), ["+a", "~b <f..t......", "~d <f.s......."])
        var sizeOnly = SyncOptions()
        sizeOnly.sizeOnly = true
        XCTAssertEqual(plan(.upload, source, destination, options: sizeOnly), ["+a", "~d <f.s......."])
        var window = SyncOptions()
        window.modifyWindow = 600
        XCTAssertEqual(plan(.upload, source, destination, options: window), ["+a", "~d <f.s......."])
    }

    func testDownloadComparesTheObjectWithTheCopysChangeTime() {
        // Restored copies keep the original mtime (older than the upload) but their ctime is the
        // moment they were written: a newer upload replaces them, an older one does not.
        let objects = [file("old", mtime: 2000), file("newer", mtime: 5000), file("edited", mtime: 2000)]
        let local = [file("old", mtime: 1000, ctime: 3000), file("newer", mtime: 1000, ctime: 3000),
                     file("edited", mtime: 2500, ctime: 2600)]
        XCTAssertEqual(plan(.download, objects, local), ["~edited >f..t......", "~newer >f..t......"])
        XCTAssertEqual(plan(.download, objects, local, skips: true),
                       ["~edited >f..t......", "~newer >f..t......", "=old upToDate"])
    }

    func testCopyComparesObjectTimes() {
        let source = [file("a", mtime: 100), file("b", mtime: 300)]
        let destination = [file("a", mtime: 200), file("b", mtime: 200)]
        XCTAssertEqual(plan(.copy, source, destination), ["~b >f..t......"])
    }

    func testChecksumAskedOnlyForEqualSizes() {
        var checksum = SyncOptions()
        checksum.checksum = true
        let source = [file("same"), file("other", size: 3)]
        let destination = [file("same"), file("other", size: 4)]
        XCTAssertEqual(plan(.upload, source, destination, options: checksum, differ: false), ["~other <f.s......."])
        XCTAssertEqual(plan(.upload, source, destination, options: checksum, differ: true), ["~other <f.s.......", "~same <fc........"])
    }

    func testExistingIgnoreExistingAndUpdate() {
        let source = [file("new"), file("changed", size: 2, mtime: 100)]
        let destination = [file("changed", size: 1, mtime: 200)]
        var ignore = SyncOptions()
        ignore.ignoreExisting = true
        XCTAssertEqual(plan(.upload, source, destination, options: ignore), ["+new"])
        var existing = SyncOptions()
        existing.existingOnly = true
        XCTAssertEqual(plan(.upload, source, destination, options: existing), ["~changed <f.s......."])
        var update = SyncOptions()
        update.update = true
        XCTAssertEqual(plan(.upload, source, destination, options: update), ["+new"], "-u: the destination is newer")
    }

    func testDeleteHonoursFiltersAndImplicitDirectories() throws {
        var options = SyncOptions()
        options.delete = .during
        options.filters = try rules(["- *.log", "P keep/"])
        let source = [file("a")]
        let destination = [file("a"), file("x.log"), file("gone"), dir("keep/"), file("keep/k"), dir("sub/", implicit: true), file("sub/s")]
        XCTAssertEqual(plan(.upload, source, destination, options: options), ["-gone", "-sub/s"],
                       "excluded and protected files stay; an implied directory is no key to delete")
        options.deleteExcluded = true
        options.filters = try rules(["- *.log", "P keep/"], deleteExcluded: true)
        XCTAssertEqual(plan(.upload, source, destination, options: options), ["-gone", "-sub/s", "-x.log"])
    }

    func testDirectoriesPerDirection() {
        let source = [dir("d/", implicit: true), file("d/f"), dir("m/"), file("m/g")]
        XCTAssertEqual(plan(.download, source, []), ["d d/", "+d/f", "d m/", "+m/g"])
        XCTAssertEqual(plan(.upload, source, []), ["+d/f", "+m/g"], "no directory keys unless asked")
        XCTAssertEqual(plan(.upload, source, [], directoryKeys: true), ["d d/", "+d/f", "d m/", "+m/g"])
        XCTAssertEqual(plan(.copy, source, []), ["+d/f", "d m/", "+m/g"], "an existing directory key is copied, an implied one is not")
        XCTAssertEqual(plan(.upload, [dir("m/")], [dir("m/", implicit: true)], directoryKeys: true), ["d m/"],
                       "a directory S3 only implies gets its key")
    }

    func testFileAndDirectoryOfOneNameAreDifferentPaths() {
        // S3 can hold a key "a" and keys under "a/": the merge keeps them apart (the download
        // executor refuses what a local tree cannot hold).
        XCTAssertEqual(FlatTree.sorted([dir("a/"), file("a"), file("a-b"), file("a/x")]).map(\.text), ["a", "a-b", "a/", "a/x"])
    }

    func testObjectsBecomeAFlatTree() {
        let objects = [S3Object(key: "p/b/c/d.txt", size: 3, lastModified: 7, etag: "\"e\""),
                       S3Object(key: "p/a.txt", size: 1, lastModified: 5, etag: "\"x\""),
                       S3Object(key: "p/b/", size: 0, lastModified: 6, etag: "\"y\""),
                       S3Object(key: "p/", size: 0, lastModified: 1, etag: "\"z\"")]
        let tree = FlatTree.fromObjects(objects, prefix: "p/")
        XCTAssertEqual(tree.map(\.text), ["a.txt", "b/", "b/c/", "b/c/d.txt"], "the prefix's own key is not an entry")
        XCTAssertEqual(tree.map(\.implicit), [false, false, true, false])
        XCTAssertEqual(tree[3].size, 3)
        XCTAssertEqual(tree[3].mtime.seconds, 7)
    }

    func testSenderFiltersPruneDirectories() throws {
        var options = SyncOptions()
        options.recursive = true
        options.filters = try rules(["- cache/", "- *.tmp"])
        let tree = FlatTree.sorted([file("a"), dir("cache/"), file("cache/x"), dir("cache/y/"), file("cache/y/z"),
                                    file("cache-not"), file("b.tmp"), dir("d/"), file("d/cache")])
        XCTAssertEqual(FlatTree.applyingSenderFilters(tree, options: options).map(\.text), ["a", "cache-not", "d/", "d/cache"])
        options.recursive = false
        XCTAssertEqual(FlatTree.applyingSenderFilters(tree, options: options).map(\.text), ["a", "cache-not"])
    }

    func testKeysThatCannotBeLocalPaths() {
        for bad in ["../x", "a/../../x", "a//b", "./a", "a/.", "x\u{0}y", "/abs"] {
            XCTAssertFalse(file(bad).isSafeLocalPath, bad)
        }
        for good in ["a", "a/b.c", "..a", "a../b", ".hidden/x"] {
            XCTAssertTrue(file(good).isSafeLocalPath, good)
        }
    }

    func testBotoSelection() {
        var style = BotoStyle()
        style.ignoreEmpty = true
        let tree = FlatTree.sorted([file("a", size: 0), file("b"), dir("e/"), file("e/z", size: 0), dir("f/"), file("f/y")])
        XCTAssertEqual(style.select(tree).map(\.text), ["b", "f/", "f/y"], "empty files and directories with no data go")
        style.ignoreEmpty = false
        style.glob = Array("*.txt".utf8)
        XCTAssertEqual(style.select(FlatTree.sorted([file("a.txt"), file("b.bin"), file("d/c.txt")])).map(\.text), ["a.txt"])
    }

    func testAnObjectNamedLikeAPrefixIsAConflictLeftAloneOnBothSides() {
        // S3 holds `d` and `d/x` (and `d-1`, which sorts between them); whatever is local at d stays.
        let objects = FlatTree.fromObjects(["p/d", "p/d-1", "p/d/x", "p/e"].map { S3Object(key: $0, size: 1, lastModified: 0, etag: "\"e\"") },
                                           prefix: "p/")
        var delete = SyncOptions()
        delete.delete = .after
        XCTAssertEqual(plan(.download, objects, []), ["!d objectAndPrefix", "+d-1", "+e"])
        XCTAssertEqual(plan(.download, objects, [file("d"), file("z")], options: delete), ["!d objectAndPrefix", "+d-1", "+e", "-z"])
        XCTAssertEqual(plan(.download, objects, [dir("d/"), file("d/y")], options: delete), ["!d objectAndPrefix", "+d-1", "+e"])
        // Only an object and a prefix together are one: an object replacing a directory is a plain change.
        XCTAssertEqual(plan(.download, [file("d")], [dir("d/"), file("d/y")]), ["+d"])
    }

    func testUploadWithDeleteKeepsAnObjectOrKeysNamedLikeTheOtherKind() {
        var delete = SyncOptions()
        delete.delete = .after
        let local = [dir("d/"), file("d/x"), file("e"), file("f")]
        let objects = [file("d"), dir("e/", implicit: true), file("e/z"), file("g")]
        XCTAssertEqual(plan(.upload, local, objects, options: delete), ["!d directoryAndObject", "!e fileAndPrefix", "+f", "-g"])
        // Without --delete nothing is lost: S3 simply holds both.
        XCTAssertEqual(plan(.upload, local, objects), ["+d/x", "+e", "+f"])
        XCTAssertEqual(plan(.copy, objects, local, options: delete).contains { $0.hasPrefix("!") }, false)
    }
}
