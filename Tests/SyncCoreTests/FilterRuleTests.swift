import XCTest
@testable import SyncCore

/// rsync's filter-rule semantics: which part of a path a pattern is matched against, and
/// which rule of a list decides (the first that matches).
final class FilterRuleTests: XCTestCase {
    private func rule(_ pattern: String, _ action: FilterRule.Action = .exclude) -> FilterRule {
        FilterRule(action: action, pattern: pattern)
    }

    private func file(_ r: FilterRule, _ path: String) -> Bool { r.matches(b(path), isDirectory: false) }
    private func dir(_ r: FilterRule, _ path: String) -> Bool { r.matches(b(path), isDirectory: true) }

    // MARK: Parsing of the pattern's decorations

    func testDecorationsAreStrippedFromThePattern() {
        let anchoredDir = rule("/build/")
        XCTAssertTrue(anchoredDir.anchored)
        XCTAssertTrue(anchoredDir.directoryOnly)
        XCTAssertFalse(anchoredDir.matchesContents)
        XCTAssertEqual(anchoredDir.pattern.bytes, b("build"))

        let contents = rule("cache/***")
        XCTAssertFalse(contents.anchored)
        XCTAssertTrue(contents.matchesContents)
        XCTAssertFalse(contents.directoryOnly)
        XCTAssertEqual(contents.pattern.bytes, b("cache"))

        let plain = rule("*.o")
        XCTAssertFalse(plain.anchored)
        XCTAssertFalse(plain.directoryOnly)
        XCTAssertFalse(plain.matchesContents)
        XCTAssertEqual(plain.pattern.bytes, b("*.o"))

        XCTAssertTrue(rule("x//").directoryOnly)
        XCTAssertEqual(rule("x//").pattern.bytes, b("x"))
        XCTAssertTrue(rule("a", .include).action == .include)
        XCTAssertTrue(rule("a").appliesToSender && rule("a").appliesToReceiver)
    }

    // MARK: Which part of the path is matched

    func testPatternWithoutSlashMatchesTheLastComponentAnywhere() {
        let r = rule("foo")
        XCTAssertTrue(file(r, "foo"))
        XCTAssertTrue(file(r, "a/foo"))
        XCTAssertTrue(file(r, "a/b/foo"))
        XCTAssertTrue(dir(r, "a/foo"))
        XCTAssertFalse(file(r, "afoo"))
        XCTAssertFalse(file(r, "foo/a"))
        XCTAssertFalse(file(r, "a/foox"))

        let wild = rule("*.o")
        XCTAssertTrue(file(wild, "x.o"))
        XCTAssertTrue(file(wild, "deep/er/x.o"))
        XCTAssertFalse(file(wild, "x.o/y"))
        XCTAssertFalse(file(wild, "x.oo"))
    }

    func testInfixSlashMatchesTrailingComponents() {
        let r = rule("b/f")
        XCTAssertTrue(file(r, "b/f"))
        XCTAssertTrue(file(r, "a/b/f"))
        XCTAssertTrue(file(r, "x/y/b/f"))
        XCTAssertFalse(file(r, "xb/f"))
        XCTAssertFalse(file(r, "a/b/f/g"))
        XCTAssertFalse(file(r, "f"))

        let wild = rule("a/*")
        XCTAssertTrue(file(wild, "a/x"))
        XCTAssertTrue(file(wild, "z/a/x"))
        XCTAssertFalse(file(wild, "a/x/y"))
        XCTAssertFalse(file(wild, "ba/x"))
    }

    func testLeadingSlashAnchorsAtTheTransferRoot() {
        let r = rule("/foo")
        XCTAssertTrue(r.anchored)
        XCTAssertTrue(file(r, "foo"))
        XCTAssertFalse(file(r, "a/foo"))
        let nested = rule("/a/b")
        XCTAssertTrue(file(nested, "a/b"))
        XCTAssertFalse(file(nested, "x/a/b"))
        XCTAssertFalse(file(nested, "a/b/c"))
        let wild = rule("/*.c")
        XCTAssertTrue(file(wild, "main.c"))
        XCTAssertFalse(file(wild, "src/main.c"))
    }

    func testTrailingSlashMatchesDirectoriesOnly() {
        let r = rule("build/")
        XCTAssertTrue(dir(r, "build"))
        XCTAssertTrue(dir(r, "x/build"))
        XCTAssertFalse(file(r, "build"))
        XCTAssertFalse(file(r, "x/build"))
    }

    func testTripleStarSuffixMatchesTheDirectoryAndEverythingInside() {
        let r = rule("cache/***")
        XCTAssertTrue(dir(r, "cache"))
        XCTAssertTrue(file(r, "cache/x"))
        XCTAssertTrue(dir(r, "cache/x"))
        XCTAssertTrue(file(r, "cache/x/y/z"))
        XCTAssertTrue(dir(r, "top/cache"))
        XCTAssertTrue(file(r, "top/cache/x"))
        XCTAssertFalse(dir(r, "cachex"))
        XCTAssertFalse(file(r, "cachex/y"))

        let anchored = rule("/a/***")
        XCTAssertTrue(dir(anchored, "a"))
        XCTAssertTrue(file(anchored, "a/b/c"))
        XCTAssertFalse(file(anchored, "x/a/b"))
    }

    /// rsync matches `NAME/***` against "NAME/" only for a directory: a regular file called
    /// `cache` is not matched (rsync 3.x: `--exclude='foo/***'` still sends a file `foo`).
    func testTripleStarSuffixDoesNotMatchARegularFileOfThatName() {
        let r = rule("cache/***")
        XCTAssertFalse(file(r, "cache"), "rsync only appends the '/' that '/***' needs for directories")
        XCTAssertFalse(file(r, "top/cache"))
    }

    func testDoubleStarPatternsMatchAcrossDirectories() {
        let prefix = rule("**/foo")
        XCTAssertTrue(file(prefix, "foo"))
        XCTAssertTrue(file(prefix, "a/foo"))
        XCTAssertTrue(file(prefix, "a/b/foo"))
        XCTAssertFalse(file(prefix, "a/foo/x"))

        let infix = rule("a/**/z")
        XCTAssertTrue(file(infix, "a/b/z"))
        XCTAssertTrue(file(infix, "a/b/c/z"))
        XCTAssertTrue(file(infix, "top/a/b/z"), "an unanchored ** pattern is tried after every slash")
        XCTAssertFalse(file(infix, "a/b/zz"))

        let trailing = rule("a/**")
        XCTAssertTrue(file(trailing, "a/x"))
        XCTAssertTrue(file(trailing, "a/x/y"))
        XCTAssertTrue(file(trailing, "q/a/x"))
        XCTAssertFalse(file(trailing, "ab/x"))

        let anchored = rule("/a/**")
        XCTAssertTrue(file(anchored, "a/x/y"))
        XCTAssertFalse(file(anchored, "q/a/x"))
    }

    /// rsync's wildmatch lets `**/` match zero directories only at the very start of an
    /// unanchored pattern (rsync prefixes the name with '/'). In the middle it needs at least
    /// one directory: `--exclude='a/**/b'` sends `a/b/f` and hides `a/x/b/f` (checked with the
    /// installed rsync; see FilterOracleTests).
    func testInfixDoubleStarSlashNeedsAtLeastOneDirectory() {
        let r = rule("a/**/b")
        XCTAssertTrue(dir(r, "a/x/b"))
        XCTAssertFalse(dir(r, "a/b"), "rsync: 'a/**/b' does not match 'a/b'")
    }

    /// `/**/foo` is anchored and does not start with `**`, so rsync does not match it against
    /// a top-level `foo` (it hides `sub/foo` and `d/foo` but sends `foo`).
    func testAnchoredDoubleStarDoesNotMatchZeroDirectories() {
        let r = rule("/**/foo")
        XCTAssertTrue(file(r, "sub/foo"))
        XCTAssertFalse(file(r, "foo"), "rsync: '/**/foo' does not match a top-level 'foo'")
    }

    /// Without any wildcard a backslash is not an escape: rsync compares the pattern `a\b`
    /// literally, so it hides a file named `a\b` and sends `ab`.
    func testBackslashIsLiteralInAPatternWithoutWildcards() {
        let r = rule("a\\b")
        XCTAssertTrue(file(r, "a\\b"), "rsync: a pattern without *?[ is compared literally")
        XCTAssertFalse(file(r, "ab"))
    }

    func testMatchesRawBytePaths() {
        let r = FilterRule(action: .exclude, patternBytes: [0xFF, UInt8(ascii: "*")])
        XCTAssertTrue(r.matches([UInt8(ascii: "d"), UInt8(ascii: "/"), 0xFF, 0x01], isDirectory: false))
        XCTAssertFalse(r.matches([0xFE], isDirectory: false))
    }

    // MARK: Lists: first match wins

    func testFirstMatchingRuleWins() {
        var list = FilterList()
        list.append(rule("keep.o", .include))
        list.append(rule("*.o"))
        XCTAssertFalse(list.excludesOnSender(b("keep.o"), isDirectory: false))
        XCTAssertFalse(list.excludesOnSender(b("d/keep.o"), isDirectory: false))
        XCTAssertTrue(list.excludesOnSender(b("other.o"), isDirectory: false))
        XCTAssertFalse(list.excludesOnSender(b("main.c"), isDirectory: false))

        let reversed = FilterList(rules: [rule("*.o"), rule("keep.o", .include)])
        XCTAssertTrue(reversed.excludesOnSender(b("keep.o"), isDirectory: false))
    }

    func testIncludeDirectoriesExcludeEverythingElse() {
        let list = FilterList(rules: [rule("*/", .include), rule("*.c", .include), rule("*")])
        XCTAssertFalse(list.excludesOnSender(b("src"), isDirectory: true))
        XCTAssertFalse(list.excludesOnSender(b("src/main.c"), isDirectory: false))
        XCTAssertTrue(list.excludesOnSender(b("src/main.h"), isDirectory: false))
        XCTAssertTrue(list.excludesOnSender(b("README"), isDirectory: false))
    }

    func testEmptyListExcludesAndProtectsNothing() {
        let list = FilterList()
        XCTAssertTrue(list.isEmpty)
        XCTAssertFalse(list.excludesOnSender(b("x"), isDirectory: false))
        XCTAssertFalse(list.protectsOnReceiver(b("x"), isDirectory: false))
    }

    func testSenderAndReceiverSidesAreSeparate() {
        // P: protect on the receiver only; H: hide on the sender only.
        let list = FilterList(rules: [
            FilterRule(action: .exclude, pattern: "protected", sender: false, receiver: true),
            FilterRule(action: .exclude, pattern: "hidden", sender: true, receiver: false),
            rule("both"),
        ])
        XCTAssertFalse(list.excludesOnSender(b("protected"), isDirectory: false))
        XCTAssertTrue(list.protectsOnReceiver(b("protected"), isDirectory: false))
        XCTAssertTrue(list.excludesOnSender(b("hidden"), isDirectory: false))
        XCTAssertFalse(list.protectsOnReceiver(b("hidden"), isDirectory: false))
        XCTAssertTrue(list.excludesOnSender(b("both"), isDirectory: false))
        XCTAssertTrue(list.protectsOnReceiver(b("both"), isDirectory: false))
    }

    func testReceiverSideFirstMatchSkipsSenderOnlyRules() {
        // R (risk) before an exclude: the receiver may delete it; the sender still hides it.
        let list = FilterList(rules: [
            FilterRule(action: .include, pattern: "*.tmp", sender: false, receiver: true),
            FilterRule(action: .include, pattern: "*.tmp", sender: true, receiver: false),
            rule("*.tmp"),
        ])
        XCTAssertFalse(list.protectsOnReceiver(b("x.tmp"), isDirectory: false))
        XCTAssertFalse(list.excludesOnSender(b("x.tmp"), isDirectory: false))
        let hideThenRisk = FilterList(rules: [
            FilterRule(action: .exclude, pattern: "*.tmp", sender: true, receiver: false),
            FilterRule(action: .include, pattern: "*.tmp", sender: false, receiver: true),
            rule("*.tmp"),
        ])
        XCTAssertTrue(hideThenRisk.excludesOnSender(b("x.tmp"), isDirectory: false))
        XCTAssertFalse(hideThenRisk.protectsOnReceiver(b("x.tmp"), isDirectory: false))
    }

    func testClearForgetsEveryRule() {
        var list = FilterList(rules: [rule("a"), rule("b")])
        list.clear()
        XCTAssertTrue(list.isEmpty)
        XCTAssertFalse(list.excludesOnSender(b("a"), isDirectory: false))
    }

    func testSizeLimits() {
        var list = FilterList()
        XCTAssertFalse(list.skipsSize(0))
        XCTAssertFalse(list.skipsSize(Int64.max))
        list.minimumSize = 10
        list.maximumSize = 100
        XCTAssertTrue(list.skipsSize(9))
        XCTAssertFalse(list.skipsSize(10))
        XCTAssertFalse(list.skipsSize(100))
        XCTAssertTrue(list.skipsSize(101))
        // Size limits are not rules: the list still counts as empty for matching.
        XCTAssertTrue(list.isEmpty)
    }
}
