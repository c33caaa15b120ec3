import XCTest
@testable import SyncCore

/// Numbers as rsync prints and parses them.
final class NumberFormattingTests: XCTestCase {
    func testGrouped() {
        XCTAssertEqual(NumberFormatting.grouped(0), "0")
        XCTAssertEqual(NumberFormatting.grouped(7), "7")
        XCTAssertEqual(NumberFormatting.grouped(999), "999")
        XCTAssertEqual(NumberFormatting.grouped(1000), "1,000")
        XCTAssertEqual(NumberFormatting.grouped(12_345), "12,345")
        XCTAssertEqual(NumberFormatting.grouped(123_456), "123,456")
        XCTAssertEqual(NumberFormatting.grouped(1_234_567), "1,234,567")
        XCTAssertEqual(NumberFormatting.grouped(-1234), "-1,234")
        XCTAssertEqual(NumberFormatting.grouped(-999), "-999")
        XCTAssertEqual(NumberFormatting.grouped(Int64.max), "9,223,372,036,854,775,807")
        XCTAssertEqual(NumberFormatting.grouped(Int64.min), "-9,223,372,036,854,775,808")
    }

    func testHumanUsesPowersOfThousand() {
        XCTAssertEqual(NumberFormatting.human(0), "0")
        XCTAssertEqual(NumberFormatting.human(999), "999")
        XCTAssertEqual(NumberFormatting.human(1000), "1.00K")
        XCTAssertEqual(NumberFormatting.human(1234), "1.23K")
        XCTAssertEqual(NumberFormatting.human(1_234_567), "1.23M")
        XCTAssertEqual(NumberFormatting.human(12_345_678), "12.35M")
        XCTAssertEqual(NumberFormatting.human(1_234_567_890_123), "1.23T")
        XCTAssertEqual(NumberFormatting.human(2e15), "2.00P")
        XCTAssertEqual(NumberFormatting.size(1_234_567, human: false), "1,234,567")
        XCTAssertEqual(NumberFormatting.size(1_234_567, human: true), "1.23M")
    }

    /// The installed rsync prints `Total file size: 1000.00K bytes` for 999,999 bytes with
    /// `-h`: the rounded value is not regrouped with a comma.
    func testHumanDoesNotGroupTheRoundedValueLikeRsync() {
        XCTAssertEqual(NumberFormatting.human(999_999), "1000.00K")
    }

    func testFixed() {
        XCTAssertEqual(NumberFormatting.fixed(0, decimals: 2), "0.00")
        XCTAssertEqual(NumberFormatting.fixed(1.5, decimals: 2), "1.50")
        XCTAssertEqual(NumberFormatting.fixed(1234.5678, decimals: 2), "1,234.57")
        XCTAssertEqual(NumberFormatting.fixed(0.999, decimals: 2), "1.00")
        XCTAssertEqual(NumberFormatting.fixed(12.04, decimals: 1), "12.0")
        XCTAssertEqual(NumberFormatting.fixed(1234.4, decimals: 0), "1,234")
        XCTAssertEqual(NumberFormatting.fixed(0.05, decimals: 3), "0.050")
        XCTAssertEqual(NumberFormatting.fixed(-1.25, decimals: 1), "-1.3")
    }

    /// A negative value above -1 must keep its sign.
    func testFixedKeepsTheSignOfSmallNegativeValues() {
        XCTAssertEqual(NumberFormatting.fixed(-0.5, decimals: 1), "-0.5")
    }

    func testSeconds() {
        XCTAssertEqual(NumberFormatting.seconds(0), "0.000")
        XCTAssertEqual(NumberFormatting.seconds(1.5), "1.500")
        XCTAssertEqual(NumberFormatting.seconds(0.0004), "0.000")
        XCTAssertEqual(NumberFormatting.seconds(0.0006), "0.001")
        XCTAssertEqual(NumberFormatting.seconds(61.25), "61.250")
        XCTAssertEqual(NumberFormatting.seconds(1234.5678), "1234.568")
        XCTAssertEqual(NumberFormatting.seconds(0.05), "0.050")
    }

    func testParseSizeUnits() {
        XCTAssertEqual(NumberFormatting.parseSize("0"), 0)
        XCTAssertEqual(NumberFormatting.parseSize("100"), 100)
        XCTAssertEqual(NumberFormatting.parseSize("1b"), 1)
        XCTAssertEqual(NumberFormatting.parseSize("1k"), 1024)
        XCTAssertEqual(NumberFormatting.parseSize("1K"), 1024)
        XCTAssertEqual(NumberFormatting.parseSize("1kb"), 1000)
        XCTAssertEqual(NumberFormatting.parseSize("1KB"), 1000)
        XCTAssertEqual(NumberFormatting.parseSize("1KiB"), 1024)
        XCTAssertEqual(NumberFormatting.parseSize("1kib"), 1024)
        XCTAssertEqual(NumberFormatting.parseSize("1.5M"), 1_572_864)
        XCTAssertEqual(NumberFormatting.parseSize("1.5mb"), 1_500_000)
        XCTAssertEqual(NumberFormatting.parseSize("2G"), 2_147_483_648)
        XCTAssertEqual(NumberFormatting.parseSize("1g"), 1_073_741_824)
        XCTAssertEqual(NumberFormatting.parseSize("1T"), 1_099_511_627_776)
        XCTAssertEqual(NumberFormatting.parseSize("1tb"), 1e12)
        XCTAssertEqual(NumberFormatting.parseSize("1P"), 1_125_899_906_842_624)
        XCTAssertEqual(NumberFormatting.parseSize(".5k"), 512)
    }

    func testParseSizePlusMinusOneSuffix() {
        XCTAssertEqual(NumberFormatting.parseSize("1k+1"), 1025)
        XCTAssertEqual(NumberFormatting.parseSize("1k-1"), 1023)
        XCTAssertEqual(NumberFormatting.parseSize("1.5mb-1"), 1_499_999)
        XCTAssertEqual(NumberFormatting.parseSize("2KiB+1"), 2049)
    }

    func testParseSizeRejectsBadInput() {
        for bad in ["", "k", "abc", "1x", "1kx", "1kbb", "1 k", "1.2.3", "-1", "1e3", "1ki", "1k+2", "--1"] {
            XCTAssertNil(NumberFormatting.parseSize(bad), bad)
        }
    }

    func testParseSizeDefaultUnitAppliesToBareNumbersOnly() {
        // --bwlimit counts in KiB unless a suffix says otherwise.
        XCTAssertEqual(NumberFormatting.parseSize("100", defaultUnit: 1024), 102_400)
        XCTAssertEqual(NumberFormatting.parseSize("1.5", defaultUnit: 1024), 1536)
        XCTAssertEqual(NumberFormatting.parseSize("100k", defaultUnit: 1024), 102_400)
        XCTAssertEqual(NumberFormatting.parseSize("1m", defaultUnit: 1024), 1_048_576)
        XCTAssertEqual(NumberFormatting.parseSize("100b", defaultUnit: 1024), 100)
        XCTAssertEqual(NumberFormatting.parseSize("0", defaultUnit: 1024), 0)
    }
}
