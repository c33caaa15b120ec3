import XCTest
@testable import SyncCore

/// The rule syntax of `--filter`, `--exclude`, `--include` and rule files.
final class FilterParserTests: XCTestCase {
    private func parse(_ texts: [String], as source: FilterParser.Source = .filter, deleteExcluded: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) -> FilterList {
        var list = FilterList()
        for text in texts {
            do {
                try FilterParser.add(text, as: source, deleteExcluded: deleteExcluded, to: &list)
            } catch {
                XCTFail("\(text): \(error)", file: file, line: line)
            }
        }
        return list
    }

    private func only(_ list: FilterList, file: StaticString = #filePath, line: UInt = #line) -> FilterRule? {
        XCTAssertEqual(list.rules.count, 1, file: file, line: line)
        return list.rules.first
    }

    private func parseError(_ text: String, as source: FilterParser.Source = .filter) -> FilterParser.ParseError? {
        var list = FilterList()
        do {
            try FilterParser.add(text, as: source, deleteExcluded: false, to: &list)
            return nil
        } catch {
            return error
        }
    }

    // MARK: --exclude / --include

    func testExcludeAndIncludeOptionsTakeThePatternAsIs() {
        let ex = only(parse(["*.o"], as: .exclude))
        XCTAssertEqual(ex?.action, .exclude)
        XCTAssertEqual(ex?.pattern.bytes, b("*.o"))
        XCTAssertEqual(ex?.appliesToSender, true)
        XCTAssertEqual(ex?.appliesToReceiver, true)

        let inc = only(parse(["src/"], as: .include))
        XCTAssertEqual(inc?.action, .include)
        XCTAssertEqual(inc?.directoryOnly, true)
        XCTAssertEqual(inc?.pattern.bytes, b("src"))

        // Spaces inside the pattern are part of it.
        XCTAssertEqual(only(parse(["my file"], as: .exclude))?.pattern.bytes, b("my file"))
    }

    func testExcludeAndIncludeAcceptPlusAndMinusPrefixes() {
        XCTAssertEqual(only(parse(["+ keep"], as: .exclude))?.action, .include)
        XCTAssertEqual(only(parse(["+ keep"], as: .exclude))?.pattern.bytes, b("keep"))
        XCTAssertEqual(only(parse(["- drop"], as: .include))?.action, .exclude)
        XCTAssertEqual(only(parse(["- drop"], as: .include))?.pattern.bytes, b("drop"))
        // Without the space it is an ordinary pattern.
        XCTAssertEqual(only(parse(["-drop"], as: .exclude))?.pattern.bytes, b("-drop"))
        XCTAssertEqual(only(parse(["-drop"], as: .exclude))?.action, .exclude)
    }

    func testBangClearsTheListInExcludeForm() {
        let list = parse(["a", "b", "!", "c"], as: .exclude)
        XCTAssertEqual(list.rules.map(\.pattern.bytes), [b("c")])
    }

    func testDeleteExcludedMakesExcludeAndIncludeRulesSenderOnly() {
        let ex = only(parse(["*.o"], as: .exclude, deleteExcluded: true))
        XCTAssertEqual(ex?.appliesToSender, true)
        XCTAssertEqual(ex?.appliesToReceiver, false)
        let filter = only(parse(["- *.o"], deleteExcluded: true))
        XCTAssertEqual(filter?.appliesToReceiver, false)
        let list = parse(["*.o"], as: .exclude, deleteExcluded: true)
        XCTAssertTrue(list.excludesOnSender(b("x.o"), isDirectory: false))
        XCTAssertFalse(list.protectsOnReceiver(b("x.o"), isDirectory: false))
    }

    func testDeleteExcludedLeavesExplicitSidesAlone() {
        let protect = only(parse(["P keep"], deleteExcluded: true))
        XCTAssertEqual(protect?.appliesToReceiver, true)
        XCTAssertEqual(protect?.appliesToSender, false)
        let receiverOnly = only(parse(["-,r x"], deleteExcluded: true))
        XCTAssertEqual(receiverOnly?.appliesToReceiver, true)
        XCTAssertEqual(receiverOnly?.appliesToSender, false)
    }

    // MARK: --filter

    func testShortAndLongRuleNames() {
        let cases: [(String, FilterRule.Action, Bool, Bool)] = [
            ("+ a", .include, true, true),
            ("- a", .exclude, true, true),
            ("include a", .include, true, true),
            ("exclude a", .exclude, true, true),
            ("P a", .exclude, false, true),
            ("protect a", .exclude, false, true),
            ("R a", .include, false, true),
            ("risk a", .include, false, true),
            ("H a", .exclude, true, false),
            ("hide a", .exclude, true, false),
            ("S a", .include, true, false),
            ("show a", .include, true, false),
        ]
        for (text, action, sender, receiver) in cases {
            guard let r = only(parse([text])) else { continue }
            XCTAssertEqual(r.action, action, text)
            XCTAssertEqual(r.appliesToSender, sender, text)
            XCTAssertEqual(r.appliesToReceiver, receiver, text)
            XCTAssertEqual(r.pattern.bytes, b("a"), text)
        }
    }

    func testUnderscoreSeparatesRuleAndPattern() {
        let r = only(parse(["-_*.bak"]))
        XCTAssertEqual(r?.action, .exclude)
        XCTAssertEqual(r?.pattern.bytes, b("*.bak"))
    }

    func testPatternKeepsEverythingAfterTheFirstSeparator() {
        XCTAssertEqual(only(parse(["- my file_name"]))?.pattern.bytes, b("my file_name"))
        XCTAssertEqual(only(parse(["- /abs/dir/"]))?.anchored, true)
        XCTAssertEqual(only(parse(["- /abs/dir/"]))?.directoryOnly, true)
    }

    func testSideModifiers() {
        let senderOnly = only(parse(["-,s *.o"]))
        XCTAssertEqual(senderOnly?.action, .exclude)
        XCTAssertEqual(senderOnly?.appliesToSender, true)
        XCTAssertEqual(senderOnly?.appliesToReceiver, false)
        XCTAssertEqual(senderOnly?.pattern.bytes, b("*.o"))

        let receiverOnly = only(parse(["+,r keep"]))
        XCTAssertEqual(receiverOnly?.action, .include)
        XCTAssertEqual(receiverOnly?.appliesToSender, false)
        XCTAssertEqual(receiverOnly?.appliesToReceiver, true)

        // Short rules may carry modifiers without the comma.
        let glued = only(parse(["-s x"]))
        XCTAssertEqual(glued?.appliesToSender, true)
        XCTAssertEqual(glued?.appliesToReceiver, false)

        let long = only(parse(["exclude,r x"]))
        XCTAssertEqual(long?.appliesToSender, false)
        XCTAssertEqual(long?.appliesToReceiver, true)
    }

    func testClearRuleInFilterForm() {
        XCTAssertTrue(parse(["- a", "!"]).isEmpty)
        XCTAssertTrue(parse(["- a", "clear"]).isEmpty)
        XCTAssertEqual(parse(["- a", "!", "+ b"]).rules.map(\.action), [.include])
    }

    func testOrderIsKept() {
        let list = parse(["+ keep.o", "- *.o", "P *.log"])
        XCTAssertEqual(list.rules.map(\.pattern.bytes), [b("keep.o"), b("*.o"), b("*.log")])
        XCTAssertFalse(list.excludesOnSender(b("keep.o"), isDirectory: false))
        XCTAssertTrue(list.excludesOnSender(b("x.o"), isDirectory: false))
    }

    // MARK: Errors

    func testMergeRulesAreRejectedWithAClearReason() {
        for text in [". rules.txt", ": .rsync-filter", "merge rules.txt", "dir-merge .rsync-filter"] {
            let error = parseError(text)
            XCTAssertNotNil(error, text)
            XCTAssertEqual(error?.rule, text)
            XCTAssertTrue(error?.reason.contains("merge") ?? false, "\(text): \(error?.reason ?? "")")
            XCTAssertTrue(error?.description.contains(text) ?? false)
        }
    }

    func testUnknownRulesAndModifiersAreRejected() {
        XCTAssertNotNil(parseError("x foo"))
        XCTAssertTrue(parseError("x foo")?.reason.contains("unknown rule") ?? false)
        XCTAssertNotNil(parseError("frobnicate foo"))
        XCTAssertNotNil(parseError("-,q foo"))
        XCTAssertTrue(parseError("-,q foo")?.reason.contains("unknown modifier") ?? false)
        for unsupported in ["-! foo", "-,! foo", "-/ foo", "-,C foo", "-,e foo", "-,w foo", "-,p foo"] {
            let error = parseError(unsupported)
            XCTAssertNotNil(error, unsupported)
            XCTAssertTrue(error?.reason.contains("not supported") ?? false, "\(unsupported): \(error?.reason ?? "")")
        }
    }

    func testMissingPatternIsAnError() {
        XCTAssertNotNil(parseError("-"))
        XCTAssertNotNil(parseError("+"))
        XCTAssertNotNil(parseError("- "))
        XCTAssertTrue(parseError("- ")?.reason.contains("missing pattern") ?? false)
        XCTAssertNotNil(parseError("exclude"))
    }

    func testErrorsLeaveTheListUnchanged() {
        var list = parse(["- a"])
        XCTAssertThrowsError(try FilterParser.add(". merge", as: .filter, deleteExcluded: false, to: &list))
        XCTAssertEqual(list.rules.count, 1)
    }

    // MARK: Rule files

    func testRuleFileLinesSkipCommentsBlankLinesAndCarriageReturns() {
        let text = "# comment\n; also a comment\n\n*.o\r\n- tmp/\n  spaced \nlast"
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: b(text), nulSeparated: false)),
                       ["*.o", "- tmp/", "  spaced ", "last"])
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: [], nulSeparated: false)), [])
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: b("\r\n\n"), nulSeparated: false)), [])
        // A '#' later in a line is part of the pattern.
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: b("a#b\n"), nulSeparated: false)), ["a#b"])
    }

    func testNulSeparatedRuleFileKeepsNewlinesAndCarriageReturns() {
        let bytes: [UInt8] = b("a\nb") + [0] + [0] + b("c\r") + [0] + b("d")
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: bytes, nulSeparated: true)), ["a\nb", "c\r", "d"])
    }

    /// rsync reads rule files with CR as well as LF ending a line (checked with the installed
    /// rsync: an exclude file "x1\rxy\n" hides both x1 and xy).
    func testLoneCarriageReturnEndsALineLikeRsync() {
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: b("x1\rxy\n"), nulSeparated: false)), ["x1", "xy"])
    }

    /// rsync skips `#`/`;` comment lines in `-0` rule files too (checked with the installed
    /// rsync: `-0 --exclude-from` of "#c\0;c\0" hides neither `#c` nor `;c`).
    func testCommentsAreSkippedInNulSeparatedRuleFilesLikeRsync() {
        let bytes: [UInt8] = b("#c") + [0] + b(";c") + [0] + b("real") + [0]
        XCTAssertEqual(texts(FilterParser.lines(ofRuleFile: bytes, nulSeparated: true)), ["real"])
    }

    /// File names are bytes: a Latin-1 name in an exclude file must reach the matcher as the
    /// same bytes, not as U+FFFD.
    func testRuleFileLinesKeepNonUTF8Bytes() {
        let lines = FilterParser.lines(ofRuleFile: [0x63, 0x61, 0x66, 0xE9, 0x0A], nulSeparated: false)
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first, [0x63, 0x61, 0x66, 0xE9],
                       "the invalid byte 0xE9 was replaced, so the rule can never match the file 'caf\\xE9'")
    }
}

/// Rule-file lines as text, for the tests whose rules are all UTF-8.
private func texts(_ lines: [[UInt8]]) -> [String] {
    lines.map { String(decoding: $0, as: UTF8.self) }
}
