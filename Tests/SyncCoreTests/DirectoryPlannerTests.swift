import Foundation
import XCTest
@testable import SyncCore
import SyncSystem

/// The per-directory merge join of sorted source and destination listings.
final class DirectoryPlannerTests: XCTestCase {
    /// The plan, with entries given back as their positions in the two listings (which the
    /// tests write in key order).
    struct Indexed: Equatable {
        struct Item: Equatable {
            var source: Int
            var destination: Int?
        }
        var items: [Item] = []
        var deletions: [Int] = []
        var excluded: [Int] = []
    }

    private func plan(_ directory: String = "", source: [FileEntry], destination: [FileEntry],
                      filters: FilterList = FilterList(), delete: Bool = true) -> Indexed {
        for listing in [source, destination] {
            XCTAssertEqual(listing.map(\.name), ArrayListing(listing).entries.map(\.name), "test listings must be in key order")
        }
        let p = DirectoryPlanner.plan(directory: b(directory), source: source, destination: destination,
                                      filters: filters, deleteAllowed: delete)
        return Indexed(items: p.items.map { Indexed.Item(source: $0.source, destination: $0.destination) },
                       deletions: p.deletions, excluded: p.excluded)
    }

    private func filters(_ rules: String..., deleteExcluded: Bool = false) -> FilterList {
        var list = FilterList()
        for rule in rules { try! FilterParser.add(rule, as: .filter, deleteExcluded: deleteExcluded, to: &list) }
        return list
    }

    private func item(_ source: Int, _ destination: Int?) -> Indexed.Item {
        Indexed.Item(source: source, destination: destination)
    }

    func testEmptyListings() {
        XCTAssertEqual(plan(source: [], destination: []), Indexed())
    }

    func testSourceOnlyDestinationOnlyAndBoth() {
        let source = [entry("a"), entry("c"), entry("e")]
        let destination = [entry("b"), entry("c"), entry("d"), entry("f")]
        let p = plan(source: source, destination: destination)
        XCTAssertEqual(p.items, [item(0, nil), item(1, 1), item(2, nil)])
        XCTAssertEqual(p.deletions, [0, 2, 3])
        XCTAssertEqual(p.excluded, [])
    }

    func testAllSourceOnlyAndAllDestinationOnly() {
        let p1 = plan(source: [entry("a"), entry("b")], destination: [])
        XCTAssertEqual(p1.items, [item(0, nil), item(1, nil)])
        XCTAssertEqual(p1.deletions, [])
        let p2 = plan(source: [], destination: [entry("a"), entry("b")])
        XCTAssertEqual(p2.items, [])
        XCTAssertEqual(p2.deletions, [0, 1])
    }

    func testIdenticalListingsPairEveryName() {
        let names = (0..<50).map { String(format: "n%03d", $0) }
        let p = plan(source: names.map { entry($0) }, destination: names.map { entry($0) })
        XCTAssertEqual(p.items, (0..<50).map { item($0, $0) })
        XCTAssertEqual(p.deletions, [])
    }

    func testNoDeletionsUnlessAllowed() {
        let p = plan(source: [entry("b")], destination: [entry("a"), entry("b"), entry("c")], delete: false)
        XCTAssertEqual(p.items, [item(0, 1)])
        XCTAssertEqual(p.deletions, [])
    }

    func testMergeFollowsByteOrderNotStringOrder() {
        // Bytes: "B" (0x42) < "a" (0x61) < "a.b" < "a0" < "é" (0xC3 0xA9).
        let names = ["B", "a", "a.b", "a0", "é"]
        let sorted = names.sorted { compareNames(b($0), b($1)) < 0 }
        XCTAssertEqual(sorted, names)
        let p = plan(source: [entry("B"), entry("a.b"), entry("é")], destination: [entry("a"), entry("a.b"), entry("a0"), entry("é")])
        XCTAssertEqual(p.items, [item(0, nil), item(1, 1), item(2, 3)])
        XCTAssertEqual(p.deletions, [0, 2])
    }

    func testCompareNames() {
        XCTAssertEqual(compareNames([], []), 0)
        XCTAssertLessThan(compareNames([], b("a")), 0)
        XCTAssertGreaterThan(compareNames(b("a"), []), 0)
        XCTAssertLessThan(compareNames(b("a"), b("ab")), 0)
        XCTAssertGreaterThan(compareNames(b("b"), b("ab")), 0)
        XCTAssertLessThan(compareNames([0x7F], [0x80]), 0, "bytes compare unsigned")
        XCTAssertEqual(compareNames([0xFF, 0x00], [0xFF, 0x00]), 0)
    }

    func testExcludedSourceIsNotPlannedAndIsRecorded() {
        let p = plan(source: [entry("a.o"), entry("b.c"), entry("c.o")], destination: [],
                     filters: filters("- *.o"))
        XCTAssertEqual(p.items, [item(1, nil)])
        XCTAssertEqual(p.excluded, [0, 2])
    }

    func testExcludedNameIsProtectedOnTheDestination() {
        // A plain exclude applies to both sides: the receiver's copy is not deleted.
        let p = plan(source: [entry("keep.c"), entry("x.o")], destination: [entry("keep.c"), entry("old.o"), entry("x.o")],
                     filters: filters("- *.o"))
        XCTAssertEqual(p.items, [item(0, 0)])
        XCTAssertEqual(p.excluded, [1])
        XCTAssertEqual(p.deletions, [])
    }

    func testDeleteExcludedDeletesExcludedNames() {
        let p = plan(source: [entry("keep.c"), entry("x.o")], destination: [entry("keep.c"), entry("old.o"), entry("x.o")],
                     filters: filters("- *.o", deleteExcluded: true))
        XCTAssertEqual(p.items, [item(0, 0)])
        XCTAssertEqual(p.excluded, [1])
        XCTAssertEqual(p.deletions, [1, 2])
    }

    func testHideRuleHidesButDoesNotProtect() {
        let p = plan(source: [entry("h"), entry("s")], destination: [entry("h"), entry("s")], filters: filters("H h"))
        XCTAssertEqual(p.items, [item(1, 1)])
        XCTAssertEqual(p.excluded, [0])
        XCTAssertEqual(p.deletions, [0])
    }

    func testProtectRuleKeepsDestinationOnlyNames() {
        let p = plan(source: [entry("a")], destination: [entry("a"), entry("log1"), entry("other")], filters: filters("P log*"))
        XCTAssertEqual(p.items, [item(0, 0)])
        XCTAssertEqual(p.deletions, [2])
        XCTAssertEqual(p.excluded, [])
    }

    func testRulesSeeThePathRelativeToTheTransferRoot() {
        let rules = filters("- /sub/x", "- only/")
        let inSub = plan("sub", source: [entry("only", .directory), entry("only2"), entry("x")], destination: [], filters: rules)
        XCTAssertEqual(inSub.items, [item(1, nil)])
        XCTAssertEqual(inSub.excluded, [0, 2])
        let deeper = plan("sub/deeper", source: [entry("x")], destination: [], filters: rules)
        XCTAssertEqual(deeper.items, [item(0, nil)], "'/sub/x' is anchored: sub/deeper/x does not match")
        let file = plan("", source: [entry("only")], destination: [], filters: rules)
        XCTAssertEqual(file.items, [item(0, nil)], "'only/' matches directories only")
    }

    func testDirectoryOnlyProtectionUsesTheDestinationKind() {
        // The destination has a directory where the source lacks the name: "P cache/" protects it;
        // a destination file of that name is not protected.
        let rules = filters("P cache/")
        let dirCase = plan(source: [], destination: [entry("cache", .directory)], filters: rules)
        XCTAssertEqual(dirCase.deletions, [])
        let fileCase = plan(source: [], destination: [entry("cache")], filters: rules)
        XCTAssertEqual(fileCase.deletions, [0])
    }

    func testIncludeBeforeExcludeKeepsTheFile() {
        let p = plan(source: [entry("a.o"), entry("keep.o")], destination: [entry("a.o"), entry("keep.o"), entry("z.o")],
                     filters: filters("+ keep.o", "- *.o", deleteExcluded: true))
        XCTAssertEqual(p.items, [item(1, 1)])
        XCTAssertEqual(p.excluded, [0])
        XCTAssertEqual(p.deletions, [0, 2])
    }

    func testTypeChangeIsPairedByName() {
        let p = plan(source: [entry("x", .directory)], destination: [entry("x", .regular)])
        XCTAssertEqual(p.items, [item(0, 0)])
        XCTAssertEqual(p.deletions, [])
    }
}
