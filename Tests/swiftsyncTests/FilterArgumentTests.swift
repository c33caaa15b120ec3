import XCTest
@testable import SwiftsyncCLI

final class FilterArgumentTests: XCTestCase {
    func testKeepsCommandLineOrderAcrossOptionKinds() {
        let args = ["-a", "--include=*.c", "--exclude", "*.o", "-f", "- tmp/", "--exclude-from=ex.txt", "src/", "dst/"]
        XCTAssertEqual(FilterArgument.scan(args), [
            .rule("*.c", .include), .rule("*.o", .exclude), .rule("- tmp/", .filter), .ruleFile("ex.txt", .exclude),
        ])
    }

    func testShortFilterInAGroupAndAttached() {
        XCTAssertEqual(FilterArgument.scan(["-avf", "+ */", "-f- *"]), [.rule("+ */", .filter), .rule("- *", .filter)])
    }

    func testStopsAtDoubleDash() {
        XCTAssertEqual(FilterArgument.scan(["--", "--exclude=x"]), [])
    }
}
