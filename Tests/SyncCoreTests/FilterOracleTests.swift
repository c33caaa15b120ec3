import XCTest
@testable import SyncCore
import SyncSystem

/// The installed rsync decides: for a small tree and a set of filter options, the names
/// `rsync -a -n --out-format=%n` would send must be exactly the names our parser, rules and
/// planner let through. Expected values come from rsync, not from this file.
final class FilterOracleTests: XCTestCase {
    enum Option {
        case exclude(String), include(String), filter(String)

        var rsyncArguments: [String] {
            switch self {
            case .exclude(let p): ["--exclude=" + p]
            case .include(let p): ["--include=" + p]
            case .filter(let r): ["--filter=" + r]
            }
        }
    }

    nonisolated(unsafe) private static var sharedTree: Tree?
    private static var tree: Tree { sharedTree! }

    override class func setUp() {
        super.setUp()
        sharedTree = Tree()
    }

    override class func tearDown() {
        sharedTree = nil
        super.tearDown()
    }

    /// The source tree, built once for the class.
    final class Tree: @unchecked Sendable {
        let directory: TemporaryDirectory
        let source: String
        let emptyDestination: String

        init() {
            directory = try! TemporaryDirectory()
            source = directory("src")
            emptyDestination = directory("dst")
            for d in ["a/b", "a/x/b", "sub", "d/foo", "deep/a/b/c", "cache/inner"] { makeDirectories(source + "/" + d) }
            makeDirectories(emptyDestination)
            for f in ["a/b/f", "a/x/b/f", "foo", "a\\b", "ab", "a[b", "sub/foo", "x1", "xy", "d/foo/in", "main.c", "main.o",
                      "sub/keep.o", "deep/a/b/c/z.o", ".hidden", "sp ace", "cache/inner/data", "cache/top", "cachex"] {
                writeFile(source + "/" + f, "x")
            }
        }
    }

    private func rsyncSends(_ options: [Option], file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let tree = Self.tree
        let result = rsync(["-a", "-n", "--out-format=%n"] + options.flatMap(\.rsyncArguments) + [tree.source + "/", tree.emptyDestination + "/"],
                           file: file, line: line)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        return result.stdout.split(separator: "\n").map(String.init).filter { $0 != "./" }.sorted()
    }

    private func weSend(_ options: [Option], file: StaticString = #filePath, line: UInt = #line) -> [String] {
        var list = FilterList()
        for option in options {
            do {
                switch option {
                case .exclude(let p): try FilterParser.add(p, as: .exclude, deleteExcluded: false, to: &list)
                case .include(let p): try FilterParser.add(p, as: .include, deleteExcluded: false, to: &list)
                case .filter(let r): try FilterParser.add(r, as: .filter, deleteExcluded: false, to: &list)
                }
            } catch {
                XCTFail("\(error)", file: file, line: line)
            }
        }
        var sent: [String] = []
        let backend = LocalBackend()
        func walk(_ directory: DirectoryRef, _ path: [UInt8]) {
            guard let entries = try? backend.entries(in: directory) else { return XCTFail("list failed", file: file, line: line) }
            let plan = DirectoryPlanner.plan(directory: path, source: entries, destination: [], filters: list, deleteAllowed: false)
            for item in plan.items {
                let e = entries[item.source]
                let childPath = DisplayPath.join(path, e.name)
                if e.kind == .directory {
                    sent.append(DisplayPath.escape(childPath) + "/")
                    if let child = try? backend.openDirectory(e.name, in: directory, followSymlink: false) { walk(child, childPath) }
                } else {
                    sent.append(DisplayPath.escape(childPath))
                }
            }
        }
        guard let root = try? backend.openRoot(b(Self.tree.source), relativeTo: nil, followSymlink: true) else {
            XCTFail("cannot open the source tree", file: file, line: line)
            return []
        }
        walk(root, [])
        return sent.sorted()
    }

    private func assertAgreesWithRsync(_ options: [Option], file: StaticString = #filePath, line: UInt = #line) {
        let expected = rsyncSends(options, file: file, line: line)
        XCTAssertFalse(expected.isEmpty && options.isEmpty, file: file, line: line)
        let actual = weSend(options, file: file, line: line)
        let missing = Set(expected).subtracting(actual).sorted()
        let extra = Set(actual).subtracting(expected).sorted()
        XCTAssertTrue(missing.isEmpty && extra.isEmpty && actual.count == expected.count,
                      "\(options): we hide \(missing) that rsync sends, and send \(extra) that rsync hides",
                      file: file, line: line)
    }

    func testOracleSeesTheWholeTreeWithoutFilters() {
        let all = rsyncSends([])
        XCTAssertTrue(all.contains("a/x/b/f"))
        XCTAssertTrue(all.contains("deep/a/b/c/"))
        XCTAssertEqual(all, weSend([]))
    }

    func testOracleSingleExcludePatterns() {
        for pattern in ["foo", "/foo", "foo/", "b/f", "x/b", "a/*", "a/**", "**/foo", "**/b/f", "*.o", "/*.o",
                        "[!x]*", "x?", "x[[:digit:]]", "*\\b", "d/**/in", "a/b/***", "/a/***", "cache/***", ".*",
                        "sp ace", "deep/**/z.o", "inner/", "cache*"] {
            assertAgreesWithRsync([.exclude(pattern)])
        }
    }

    func testOracleIncludeExcludeCombinations() {
        assertAgreesWithRsync([.include("*/"), .include("*.o"), .exclude("*")])
        assertAgreesWithRsync([.include("keep.o"), .exclude("*.o")])
        assertAgreesWithRsync([.exclude("*.o"), .include("keep.o")])
        assertAgreesWithRsync([.include("/a/***"), .exclude("*")])
        assertAgreesWithRsync([.include("/sub/"), .include("/sub/keep.o"), .exclude("*")])
        assertAgreesWithRsync([.filter("- sub/"), .filter("+ *")])
        assertAgreesWithRsync([.filter("+ /cache/"), .filter("- /cache/*"), .filter("- x*")])
        assertAgreesWithRsync([.filter("H *.c"), .filter("P main.o")])
        assertAgreesWithRsync([.filter("- *.o"), .filter("!"), .filter("- foo")])
        assertAgreesWithRsync([.exclude("+ foo"), .exclude("foo"), .exclude("*.c")])
    }

    // Each of these is a place where our matcher and rsync's disagree (see the report).

    func testOracleInfixDoubleStar() {
        assertAgreesWithRsync([.exclude("a/**/b")])
    }

    func testOracleAnchoredDoubleStarPrefix() {
        assertAgreesWithRsync([.exclude("/**/foo")])
    }

    func testOracleTripleStarSuffixOnAFile() {
        assertAgreesWithRsync([.exclude("foo/***")])
    }

    func testOracleBackslashWithoutWildcards() {
        assertAgreesWithRsync([.exclude("a\\b")])
    }

    func testOracleUnterminatedBracket() {
        assertAgreesWithRsync([.exclude("a[b")])
    }
}
