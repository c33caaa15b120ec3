import XCTest
@testable import SyncCore

/// rsync's wildmatch semantics over raw bytes (the pattern alone, without filter-rule
/// anchoring; see FilterRuleTests for that).
final class GlobPatternTests: XCTestCase {
    private func matches(_ pattern: String, _ text: String) -> Bool {
        GlobPattern(pattern).matches(b(text))
    }

    func testLiteralPatternsCompareWholeText() {
        XCTAssertFalse(GlobPattern("abc").hasWildcards)
        XCTAssertTrue(matches("abc", "abc"))
        XCTAssertFalse(matches("abc", "abcd"))
        XCTAssertFalse(matches("abc", "ab"))
        XCTAssertFalse(matches("abc", "xabc"))
        XCTAssertTrue(matches("", ""))
        XCTAssertFalse(matches("", "a"))
    }

    func testSingleStarDoesNotCrossSlash() {
        XCTAssertTrue(GlobPattern("*").hasWildcards)
        XCTAssertTrue(matches("*", ""))
        XCTAssertTrue(matches("*", "anything.txt"))
        XCTAssertFalse(matches("*", "a/b"))
        XCTAssertTrue(matches("a*c", "ac"))
        XCTAssertTrue(matches("a*c", "abbbc"))
        XCTAssertFalse(matches("a*c", "ab/c"))
        XCTAssertTrue(matches("*.c", ".c"))
        XCTAssertTrue(matches("*.c", "main.c"))
        XCTAssertFalse(matches("*.c", "src/main.c"))
        XCTAssertFalse(matches("*.c", "main.cc"))
        XCTAssertTrue(matches("a/*", "a/b"))
        XCTAssertFalse(matches("a/*", "a/b/c"))
        XCTAssertTrue(matches("*/*", "a/b"))
    }

    func testStarBacktracks() {
        XCTAssertTrue(matches("a*b*c", "aXbYbZc"))
        XCTAssertTrue(matches("*ab", "aaab"))
        XCTAssertFalse(matches("a*b*c", "aXbYbZ"))
        XCTAssertTrue(matches("**c", "a/b/c"))
    }

    func testDoubleStarCrossesSlashes() {
        XCTAssertTrue(matches("**", ""))
        XCTAssertTrue(matches("**", "a/b/c"))
        XCTAssertTrue(matches("a**", "a/b/c"))
        XCTAssertTrue(matches("a/**", "a/b/c"))
        XCTAssertFalse(matches("a/**", "b/c"))
        XCTAssertTrue(matches("a/**/z", "a/b/c/z"))
        XCTAssertTrue(matches("a/**/z", "a/b/z"))
        XCTAssertFalse(matches("a/**/z", "a/b/zz"))
        XCTAssertTrue(matches("**.o", "x/y/z.o"))
        XCTAssertTrue(matches("***", "x/y"))
    }

    /// `**/foo` across directories. (Whether it also matches a top-level `foo` is filter-rule
    /// semantics: rsync gets there by prefixing a `/` to the name for unanchored `**` patterns;
    /// see FilterRuleTests.)
    func testLeadingDoubleStarSlash() {
        XCTAssertTrue(matches("**/foo", "a/foo"))
        XCTAssertTrue(matches("**/foo", "a/b/foo"))
        XCTAssertTrue(matches("**/foo", "/foo"))
        XCTAssertFalse(matches("**/foo", "afoo"))
        XCTAssertFalse(matches("**/foo", "a/foo/b"))
    }

    func testQuestionMarkIsOneByteButNotSlash() {
        XCTAssertTrue(matches("a?c", "abc"))
        XCTAssertFalse(matches("a?c", "ac"))
        XCTAssertFalse(matches("a?c", "abbc"))
        XCTAssertFalse(matches("a?c", "a/c"))
        // One byte, not one character: a two-byte UTF-8 letter needs two `?`.
        XCTAssertFalse(matches("?", "é"))
        XCTAssertTrue(matches("??", "é"))
    }

    func testCharacterClassesAndRanges() {
        XCTAssertTrue(matches("[abc]", "b"))
        XCTAssertFalse(matches("[abc]", "d"))
        XCTAssertTrue(matches("x[a-c]y", "xby"))
        XCTAssertTrue(matches("x[a-c]y", "xcy"))
        XCTAssertFalse(matches("x[a-c]y", "xdy"))
        XCTAssertTrue(matches("[a-cx-z]", "y"))
        XCTAssertFalse(matches("[a-cx-z]", "m"))
        // A `]` first in the class is literal; a `-` last is literal.
        XCTAssertTrue(matches("[]a]", "]"))
        XCTAssertTrue(matches("[]a]", "a"))
        XCTAssertTrue(matches("[a-]", "-"))
        XCTAssertFalse(matches("[a-]", "b"))
        // Classes never match a slash.
        XCTAssertFalse(matches("a[/]b", "a/b"))
        XCTAssertFalse(matches("a[!x]b", "a/b"))
    }

    func testNegatedClassesWithBangAndCaret() {
        XCTAssertTrue(matches("[!x]", "y"))
        XCTAssertFalse(matches("[!x]", "x"))
        XCTAssertTrue(matches("[^x]", "y"))
        XCTAssertFalse(matches("[^x]", "x"))
        XCTAssertTrue(matches("[!a-c]z", "dz"))
        XCTAssertFalse(matches("[!a-c]z", "bz"))
        XCTAssertFalse(matches("[!x]", ""))
    }

    func testNamedClasses() {
        XCTAssertTrue(matches("x[[:digit:]]", "x7"))
        XCTAssertFalse(matches("x[[:digit:]]", "xa"))
        XCTAssertTrue(matches("[[:alpha:]]", "Q"))
        XCTAssertFalse(matches("[[:alpha:]]", "1"))
        XCTAssertTrue(matches("[[:upper:]][[:lower:]]", "Ab"))
        XCTAssertFalse(matches("[[:upper:]][[:lower:]]", "aB"))
        XCTAssertTrue(matches("[[:space:]]", "\t"))
        XCTAssertTrue(matches("[[:xdigit:]][[:xdigit:]]", "fF"))
        XCTAssertFalse(matches("[[:xdigit:]]", "g"))
        XCTAssertTrue(matches("[[:punct:]]", "!"))
        XCTAssertFalse(matches("[[:punct:]]", "a"))
        XCTAssertTrue(matches("[[:alpha:][:digit:]_]", "_"))
        XCTAssertTrue(matches("[[:alpha:][:digit:]_]", "5"))
        XCTAssertFalse(matches("[[:alpha:][:digit:]_]", "-"))
        XCTAssertTrue(matches("[![:digit:]]", "a"))
        XCTAssertFalse(matches("[![:digit:]]", "3"))
        // High bytes are neither letters nor digits.
        XCTAssertFalse(GlobPattern("[[:alnum:]]").matches([0xE9]))
    }

    func testBackslashEscapesAWildcard() {
        XCTAssertTrue(matches("a\\*b", "a*b"))
        XCTAssertFalse(matches("a\\*b", "axb"))
        XCTAssertTrue(matches("\\?", "?"))
        XCTAssertFalse(matches("\\?", "x"))
        XCTAssertTrue(matches("\\[x]", "[x]"))
        XCTAssertFalse(matches("\\[x]", "x"))
        XCTAssertTrue(matches("*\\*", "abc*"))
        XCTAssertTrue(matches("[\\]]", "]"))
        XCTAssertTrue(matches("[a\\-z]", "-"))
        XCTAssertFalse(matches("[a\\-z]", "m"))
    }

    /// rsync's wildmatch aborts on a `[` that is never closed: the pattern matches nothing,
    /// not even the same text (checked with rsync 3.x: `--exclude='a[b'` leaves `a[b` in the
    /// transfer; see FilterRuleTests.testOracleUnterminatedBracket).
    func testUnterminatedBracketMatchesNothing() {
        XCTAssertFalse(matches("a[b", "ab"))
        XCTAssertFalse(matches("a[b", "axb"))
        XCTAssertFalse(matches("a[b", "a[b"), "rsync's wildmatch returns ABORT_ALL for an unterminated class")
        XCTAssertFalse(matches("*[", "x["))
    }

    func testMatchesRawNonUTF8Bytes() {
        let pattern = GlobPattern([0x66, 0xFF, UInt8(ascii: "*")])
        XCTAssertTrue(pattern.matches([0x66, 0xFF]))
        XCTAssertTrue(pattern.matches([0x66, 0xFF, 0x80, 0x01]))
        XCTAssertFalse(pattern.matches([0x66, 0xFE]))
        XCTAssertTrue(GlobPattern([UInt8(ascii: "["), 0x80, UInt8(ascii: "-"), 0xFF, UInt8(ascii: "]")]).matches([0xC3]))
        XCTAssertFalse(GlobPattern([UInt8(ascii: "["), 0x80, UInt8(ascii: "-"), 0xFF, UInt8(ascii: "]")]).matches([0x7F]))
    }

    func testMatchesArraySlicesWithNonZeroStartIndex() {
        let text = b("dir/name.txt")
        let slice = text[4...]
        XCTAssertEqual(slice.startIndex, 4)
        XCTAssertTrue(GlobPattern("*.txt").matches(slice))
        XCTAssertTrue(GlobPattern("name.*").matches(slice))
        XCTAssertTrue(GlobPattern("n?me.txt").matches(slice))
        XCTAssertTrue(GlobPattern("name.txt").matches(slice))
        XCTAssertFalse(GlobPattern("dir*").matches(slice))
    }
}
