import XCTest
@testable import Provision

final class CronScheduleTests: XCTestCase {
    func testAcceptsWhatCronAccepts() throws {
        for schedule in ["15 0 * * *", "*/15 * * * *", "0 0 1-31/2 jan-jun mon-fri", "0 0 * * 7", "0 0 * * 0", "5,10,15 * * * *",
                         "0 12 * * Sun", "0-59/5 0-23 1-31 1-12 0-7", "30 2 1,15 * *", "0 0 * DEC *", "1-5,*/20 * * * *"] {
            XCTAssertEqual(try CronSchedule(parsing: schedule).text, schedule, schedule)
        }
        XCTAssertEqual(try CronSchedule(parsing: "  15   0 * *\t*  ").text, "15 0 * * *", "whitespace normalised")
        for keyword in ["@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@DAILY"] {
            XCTAssertEqual(try CronSchedule(parsing: keyword).text, keyword.lowercased())
        }
    }

    func testRejectsWhatCronWouldMisread() {
        let cases: [(String, String)] = [
            ("60 * * * *", "minute field \"60\": 60 is out of range 0-59"),
            ("* 24 * * *", "hour field \"24\": 24 is out of range 0-23"),
            ("* * 0 * *", "day of month field \"0\": 0 is out of range 1-31"),
            ("* * 32 * *", "day of month field \"32\""),
            ("* * * 13 *", "month field \"13\": 13 is out of range 1-12"),
            ("* * * * 8", "day of week field \"8\": 8 is out of range 0-7"),
            ("*/0 * * * *", "step \"0\" must be a number from 1 to 60"),
            ("5/10 * * * *", "a step needs * or a range before it"),
            ("10-5 * * * *", "range \"10-5\" runs backwards"),
            ("* * * * * *", "expected 5 fields"),
            ("* * * *", "expected 5 fields"),
            ("", "expected 5 fields"),
            ("@weekdays", "the @ forms are"),
            ("@daily extra", "the @ forms are"),
            ("1,,2 * * * *", "empty list item"),
            ("a * * * *", "\"a\" is not a number"),
            ("* * * foo *", "\"foo\" is not a number or a name (jan…dec)"),
            ("mon * * * *", "minute field \"mon\""),
            ("-1 * * * *", "minute field \"-1\""),
            ("1-2-3 * * * *", "malformed range"),
            ("*/5/2 * * * *", "more than one step"),
            ("* * * * mon-sun/x", "step \"x\""),
            ("１ * * * *", "is not a number"),
        ]
        for (schedule, expected) in cases {
            XCTAssertThrowsError(try CronSchedule(parsing: schedule), schedule) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(expected), "\(schedule): \(message)")
                XCTAssertTrue(message.hasPrefix("invalid schedule \"\(schedule)\""), message)
                XCTAssertEqual((error as? ProvisionError)?.kind, .usage)
            }
        }
    }
}
