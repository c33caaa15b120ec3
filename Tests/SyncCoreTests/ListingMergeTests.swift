import XCTest
@testable import SyncCore
import SyncSystem

/// Key order and the lock-step merge of two listings in it.
final class ListingMergeTests: XCTestCase {
    private func key(_ name: String, _ directory: Bool) -> ([UInt8], Bool) { (b(name), directory) }

    private func order(_ a: String, _ aDirectory: Bool, _ c: String, _ cDirectory: Bool) -> Int {
        compareKeys(b(a), isDirectory: aDirectory, b(c), isDirectory: cDirectory)
    }

    func testKeyOrderIsTheOrderOfS3Keys() {
        // A directory sorts as its name followed by "/": a-b < a/ < a0, as the keys a-b, a/x, a0.
        XCTAssertEqual(order("a-b", false, "a", true), -1)
        XCTAssertEqual(order("a", true, "a0", false), -1)
        XCTAssertEqual(order("a", false, "a", true), -1, "N before N/")
        XCTAssertEqual(order("a", true, "a", true), 0)
        XCTAssertEqual(order("a", false, "a", false), 0)
        XCTAssertEqual(order("ab", true, "a", true), 1, "ab/ after a/")
        XCTAssertEqual(order("a", false, "ab", false), -1)
        XCTAssertEqual(order("a", true, "a.b", true), 1, "a/ after a.b/")
        XCTAssertEqual(order("B", false, "a", false), -1, "bytes, not letters")
        XCTAssertEqual(order("\u{7F}", false, "é", false), -1, "bytes compare unsigned")
        // Exhaustively against the keys themselves.
        let names = ["", "a", "a-", "a.", "a0", "b", "a-b", "ab", "a/"].filter { !$0.contains("/") }
        for x in names where !x.isEmpty {
            for y in names where !y.isEmpty {
                for (xd, yd) in [(false, false), (false, true), (true, false), (true, true)] {
                    let kx = b(x) + (xd ? [UInt8(ascii: "/")] : []), ky = b(y) + (yd ? [UInt8(ascii: "/")] : [])
                    XCTAssertEqual(order(x, xd, y, yd), compareNames(kx, ky).signum(), "\(x)\(xd ? "/" : "") vs \(y)\(yd ? "/" : "")")
                }
            }
        }
    }

    /// The sort over a shared name buffer, applied in place by swaps, gives the order a plain
    /// sort by ``compareKeys(_:isDirectory:_:isDirectory:)`` gives, each entry intact.
    func testSortInKeyOrderAgreesWithCompareKeys() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0"), 0x2e, 0x30, 0xff, 0x01]
        for round in 0..<2000 {
            var entries: [FileEntry] = []
            var seen = Set<[UInt8]>()
            for inode in 0..<Int.random(in: 0...40, using: &generator) {
                let name = (0..<Int.random(in: 1...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                let directory = Bool.random(using: &generator)
                guard seen.insert(name + [directory ? 1 : 0]).inserted else { continue }
                var e = entry(String(decoding: name, as: UTF8.self), directory ? .directory : .regular)
                e.name = name
                e.status.inode = UInt64(inode)
                entries.append(e)
            }
            var sorted = entries
            sorted.sortInKeyOrder()
            XCTAssertEqual(sorted, entries.sorted { FileEntry.keyOrder($0, $1) < 0 }, "round \(round)")
        }
    }

    private func names(_ outcomes: [ListingMerge.Outcome]) -> [String] {
        outcomes.map { outcome in
            switch outcome {
            case .conflict(let e): return "conflict " + String(decoding: e.name, as: UTF8.self)
            case .pair(let p):
                func text(_ e: FileEntry?) -> String {
                    e.map { String(decoding: $0.name, as: UTF8.self) + ($0.kind == .directory ? "/" : "") } ?? "-"
                }
                return text(p.source) + " " + text(p.destination)
            }
        }
    }

    private func sorted(_ entries: [FileEntry]) -> [FileEntry] { ArrayListing(entries).entries }

    /// Two random listings in key order, over up to 12 names of 1–3 characters that are often
    /// prefixes of each other, each a file or a directory; with `doublingOneSourceName`, one
    /// source name is there as both kinds (a conflict).
    private func randomListings(doublingOneSourceName: Bool) -> (source: [FileEntry], destination: [FileEntry]) {
        var generator = SystemRandomNumberGenerator()
        let alphabet = ["a", "-", ".", "0", "b"]
        func randomEntries() -> [FileEntry] {
            Set((0..<Int.random(in: 0...12, using: &generator)).map { _ in
                (0..<Int.random(in: 1...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            }).map { entry($0, Bool.random(using: &generator) ? .directory : .regular) }
        }
        var source = randomEntries()
        if doublingOneSourceName, let doubled = source.randomElement(using: &generator) {
            source.append(entry(String(decoding: doubled.name, as: UTF8.self), doubled.kind == .directory ? .regular : .directory))
        }
        return (sorted(source), sorted(randomEntries()))
    }

    func testAFileMeetsADirectoryOfItsNameWithNamesBetweenThem() {
        let source = sorted([entry("n"), entry("n-1"), entry("n.txt"), entry("z")])
        let destination = sorted([entry("n", .directory), entry("n-1"), entry("n.txt", .directory)])
        XCTAssertEqual(names(ListingMerge.outcomes(source: source, destination: destination)),
                       ["n n/", "n-1 n-1", "n.txt n.txt/", "z -"])
    }

    func testADestinationFileWaitsForTheSourceDirectoryOfItsName() {
        let source = sorted([entry("n", .directory), entry("n-1"), entry("n.txt")])
        let destination = sorted([entry("n"), entry("n-1"), entry("n0")])
        XCTAssertEqual(names(ListingMerge.outcomes(source: source, destination: destination)),
                       ["n-1 n-1", "n.txt -", "n/ n", "- n0"])
    }

    func testWhereBothKindsCanStandTheyNeverMeet() {
        let source = sorted([entry("n"), entry("n-1")])
        let destination = sorted([entry("n", .directory), entry("n-1")])
        XCTAssertEqual(names(ListingMerge.outcomes(source: source, destination: destination, matchesAcrossKinds: false)),
                       ["n -", "n-1 n-1", "- n/"])
    }

    func testASourceHoldingAFileAndADirectoryOfOneNameIsAConflictLeftAlone() {
        let source = sorted([entry("n"), entry("n", .directory), entry("n.txt"), entry("o")])
        let destination = sorted([entry("n"), entry("n", .directory), entry("o")])
        XCTAssertEqual(names(ListingMerge.outcomes(source: source, destination: destination, checksSourceConflicts: true)),
                       ["conflict n", "n.txt -", "o o"])
        let onlyDirectory = sorted([entry("n", .directory)])
        XCTAssertEqual(names(ListingMerge.outcomes(source: source, destination: onlyDirectory, checksSourceConflicts: true)),
                       ["conflict n", "n.txt -", "o -"])
    }

    func testLookUpsAreAskedOnlyWhenTheHeadCannotTell() {
        var merge = ListingMerge()
        XCTAssertEqual(merge.next(), .readSource)
        merge.read(source: entry("n"))
        XCTAssertEqual(merge.next(), .readDestination)
        merge.read(destination: entry("o"))
        // "o" sorts after "n/": no directory n can follow on the destination side.
        XCTAssertEqual(merge.next(), .pair(ListingMerge.Pair(source: entry("n"), destination: nil)))
        XCTAssertEqual(merge.next(), .readSource)
        merge.read(source: entry("o-"))
        // The destination file "o" comes first; the source's next name "o-" sorts before "o/",
        // so only the source listing can say whether a directory "o" is still to come.
        XCTAssertEqual(merge.next(), .lookUpSourceDirectory(b("o")))
        merge.found(nil)
        XCTAssertEqual(merge.next(), .pair(ListingMerge.Pair(source: nil, destination: entry("o"))))
        XCTAssertEqual(merge.next(), .readDestination)
        merge.read(destination: nil)
        XCTAssertEqual(merge.next(), .pair(ListingMerge.Pair(source: entry("o-"), destination: nil)))
        XCTAssertEqual(merge.next(), .readSource)
        merge.read(source: nil)
        XCTAssertEqual(merge.next(), .finished)
    }

    /// Random listings over names that are prefixes of each other: every entry of each side is
    /// given exactly once, pairs are by name whatever the kinds, the source's entries come out in
    /// key order, and a source name that is both kinds is one conflict.
    func testRandomListingsAgainstANameJoin() {
        for round in 0..<3000 {
            let conflicts = round % 2 == 0
            let (source, destination) = randomListings(doublingOneSourceName: conflicts)
            let outcomes = ListingMerge.outcomes(source: source, destination: destination, checksSourceConflicts: conflicts)
            var seenSource: [FileEntry] = [], seenDestination: [FileEntry] = [], conflictNames: [[UInt8]] = []
            for outcome in outcomes {
                switch outcome {
                case .conflict(let e):
                    conflictNames.append(e.name)
                case .pair(let p):
                    if let s = p.source, let d = p.destination { XCTAssertEqual(s.name, d.name, "round \(round)") }
                    XCTAssertTrue(p.source != nil || p.destination != nil)
                    if let s = p.source { seenSource.append(s) }
                    if let d = p.destination { seenDestination.append(d) }
                }
            }
            let doubledNames = Set(Dictionary(grouping: source, by: \.name).filter { $0.value.count > 1 }.keys)
            XCTAssertEqual(Set(conflictNames), doubledNames, "round \(round)")
            XCTAssertEqual(conflictNames.count, doubledNames.count, "round \(round)")
            XCTAssertEqual(seenSource, source.filter { !doubledNames.contains($0.name) }, "round \(round): source in key order, each once")
            XCTAssertEqual(seenDestination.sorted { FileEntry.keyOrder($0, $1) < 0 },
                           destination.filter { !doubledNames.contains($0.name) }, "round \(round): each destination entry once")
            // A name on both sides always meets (kinds aside).
            for d in seenDestination {
                let hasSource = seenSource.contains { $0.name == d.name }
                let paired = outcomes.contains { if case .pair(let p) = $0 { return p.destination == d && p.source != nil } else { return false } }
                XCTAssertEqual(hasSource, paired, "round \(round): \(String(decoding: d.name, as: UTF8.self))")
            }
        }
    }

    /// The two ways the one merge runs, over the same listings: entry by entry from listings
    /// (as an S3 walk runs it) and by position over arrays (as a local walk plans a directory).
    func testStreamedAndPositionalMergesAgree() async throws {
        for round in 0..<500 {
            let conflicts = round % 2 == 0
            let (source, destination) = randomListings(doublingOneSourceName: conflicts)
            for acrossKinds in [true, false] {
                var streamed: [ListingMerge.Outcome] = []
                try await ListingMerge.run(source: ArrayListing(sorted: source), destination: ArrayListing(sorted: destination),
                                           matchesAcrossKinds: acrossKinds, checksSourceConflicts: conflicts) { streamed.append($0) }
                XCTAssertEqual(streamed, ListingMerge.outcomes(source: source, destination: destination, matchesAcrossKinds: acrossKinds,
                                                               checksSourceConflicts: conflicts), "round \(round)")
            }
        }
    }

    /// The planner's join by index gives the state machine's meetings, whichever path it takes:
    /// the plain merge join where no name changes kind between the sides, the state machine
    /// otherwise. Both paths are taken often over these listings.
    func testTheJoinByIndexAgreesWithTheStateMachine() {
        var plain = 0, fallen = 0
        for round in 0..<3000 {
            let conflicts = round % 3 == 0
            var (source, destination) = randomListings(doublingOneSourceName: conflicts)
            if round % 5 == 1 {
                // Mostly the same names on both sides, as in a no-op.
                destination = source.filter { _ in Int.random(in: 0..<8) != 0 }
                if conflicts { destination = destination.filter { e in source.filter { $0.name == e.name }.count == 1 } }
            }
            for acrossKinds in [true, false] {
                let joined = ListingJoin.meetings(source: source, destination: destination, matchesAcrossKinds: acrossKinds,
                                                  checksSourceConflicts: conflicts)
                XCTAssertEqual(joined, ListingJoin.stateMachineMeetings(source: source, destination: destination,
                                                                        matchesAcrossKinds: acrossKinds, checksSourceConflicts: conflicts),
                               "round \(round)")
                if !conflicts {
                    if ListingJoin.plainJoin(source: source, destination: destination, matchesAcrossKinds: acrossKinds) != nil {
                        plain += 1
                    } else {
                        fallen += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(plain, 150)
        XCTAssertGreaterThan(fallen, 150)
    }
}
