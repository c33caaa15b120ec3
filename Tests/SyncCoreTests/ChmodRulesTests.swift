import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// rsync's `--chmod` language.
final class ChmodRulesTests: XCTestCase {
    private func apply(_ rules: String, _ mode: UInt32, directory: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> UInt32? {
        do {
            return try ChmodRules(rules).apply(to: mode, isDirectory: directory)
        } catch {
            XCTFail("\(rules): \(error)", file: file, line: line)
            return nil
        }
    }

    func testOctalPerKind() {
        XCTAssertEqual(apply("D755,F644", 0o700, directory: true), 0o755)
        XCTAssertEqual(apply("D755,F644", 0o700), 0o644)
        XCTAssertEqual(apply("644", 0o777), 0o644)
        XCTAssertEqual(apply("644", 0o777, directory: true), 0o644)
        XCTAssertEqual(apply("0600", 0o4755), 0o600)
        XCTAssertEqual(apply("D2775", 0o700, directory: true), 0o2775)
    }

    func testSymbolicAddRemove() {
        XCTAssertEqual(apply("go-w", 0o777), 0o755)
        XCTAssertEqual(apply("go-w", 0o644), 0o644)
        XCTAssertEqual(apply("u+x", 0o644), 0o744)
        XCTAssertEqual(apply("o-rwx", 0o777), 0o770)
        XCTAssertEqual(apply("+r", 0o200), 0o644)
        XCTAssertEqual(apply("a-w", 0o666), 0o444)
        XCTAssertEqual(apply("ug+w,o-r", 0o444), 0o660)
        XCTAssertEqual(apply("u+rw-x", 0o700), 0o600)
    }

    func testConditionalExecute() {
        XCTAssertEqual(apply("a+rX", 0o600), 0o644, "X adds nothing to a non-executable file")
        XCTAssertEqual(apply("a+rX", 0o700), 0o755)
        XCTAssertEqual(apply("a+rX", 0o610), 0o755, "any execute bit makes X apply")
        XCTAssertEqual(apply("a+rX", 0o700, directory: true), 0o755)
        XCTAssertEqual(apply("a+rX", 0o000, directory: true), 0o555)
        XCTAssertEqual(apply("Fa+X", 0o600), 0o600)
        // X sees the result of the clauses before it.
        XCTAssertEqual(apply("u+x,go+X", 0o600), 0o711)
    }

    func testSpecialBits() {
        XCTAssertEqual(apply("u+s", 0o755), 0o4755)
        XCTAssertEqual(apply("g+s", 0o755), 0o2755)
        XCTAssertEqual(apply("+t", 0o777, directory: true), 0o1777)
        XCTAssertEqual(apply("o+t", 0o777, directory: true), 0o1777)
        XCTAssertEqual(apply("u-s", 0o6755), 0o2755)
        XCTAssertEqual(apply("ug-s", 0o6755), 0o755)
    }

    func testEqualsSetsTheClassAndKeepsSetIDBits() {
        XCTAssertEqual(apply("a=r", 0o755), 0o444)
        XCTAssertEqual(apply("u=rw", 0o755), 0o655)
        XCTAssertEqual(apply("o=", 0o757), 0o750)
        XCTAssertEqual(apply("go=", 0o755), 0o700)
        XCTAssertEqual(apply("u=rw", 0o4755), 0o4655)
        XCTAssertEqual(apply("go=rx", 0o2770, directory: true), 0o2755)
        XCTAssertEqual(apply("u=rwxs", 0o755), 0o4755)
    }

    func testKindPrefixesLimitClauses() {
        XCTAssertEqual(apply("Dg+s,Fo-r", 0o755, directory: true), 0o2755)
        XCTAssertEqual(apply("Dg+s,Fo-r", 0o755), 0o751)
        XCTAssertEqual(apply("Du+w", 0o444), 0o444)
    }

    func testInvalidStringsThrow() {
        for bad in ["", ",", "x+r", "u+q", "D", "F", "u", "8", "999", "u+r,zz", "rwx", "u+r x", "Z644"] {
            XCTAssertThrowsError(try ChmodRules(bad), bad) { error in
                XCTAssertTrue("\(error)".contains("--chmod argument \"\(bad)\""), "\(error)")
            }
        }
    }

    func testEquality() throws {
        XCTAssertEqual(try ChmodRules("u+x"), try ChmodRules("u+x"))
        XCTAssertNotEqual(try ChmodRules("u+x"), try ChmodRules("g+x"))
    }

    /// The installed rsync applies each rule string to files and directories of several
    /// modes; our rules must give the same modes.
    func testAgreesWithRsync() throws {
        let tmp = try TemporaryDirectory()
        let fileModes: [mode_t] = [0o600, 0o644, 0o700, 0o755, 0o610, 0o4755, 0o2711, 0o444, 0o000]
        let directoryModes: [mode_t] = [0o700, 0o755, 0o2775, 0o1777, 0o500]
        let rules = ["D755,F644", "go-w", "a+rX", "u+s", "u=rw", "go=", "Dg+s,Fo-r", "a=rX,u+w", "o+t", "ug-s", "u=rwx,g=rx,o="]
        for (index, rule) in rules.enumerated() {
            let src = tmp("src\(index)"), dst = tmp("dst\(index)")
            makeDirectories(src)
            for mode in fileModes {
                writeFile(src + "/f" + String(mode, radix: 8), "x")
                chmod(src + "/f" + String(mode, radix: 8), mode)
            }
            for mode in directoryModes {
                makeDirectories(src + "/d" + String(mode, radix: 8))
                chmod(src + "/d" + String(mode, radix: 8), mode)
            }
            let result = rsync(["-a", "--chmod=" + rule, src + "/", dst + "/"])
            XCTAssertEqual(result.status, 0, result.stderr)
            for mode in fileModes {
                let got = linkStatus(dst + "/f" + String(mode, radix: 8))?.permissions
                XCTAssertEqual(apply(rule, UInt32(mode)).map { String($0, radix: 8) }, got.map { String($0, radix: 8) },
                               "--chmod=\(rule) on a file of mode \(String(mode, radix: 8))")
            }
            for mode in directoryModes {
                let got = linkStatus(dst + "/d" + String(mode, radix: 8))?.permissions
                XCTAssertEqual(apply(rule, UInt32(mode), directory: true).map { String($0, radix: 8) }, got.map { String($0, radix: 8) },
                               "--chmod=\(rule) on a directory of mode \(String(mode, radix: 8))")
            }
        }
    }
}
