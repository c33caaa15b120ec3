import XCTest
@testable import SyncCore
import SyncSystem

/// rsync's `--out-format` escapes. Every expected string here is what rsync 3.5.0 printed for
/// the same format and file (`rsync -a --out-format=FORMAT`), recorded by hand.
final class LogFormatTests: XCTestCase {
    let context = LogContext(now: 0, pid: 4242)

    func file(_ path: String, size: Int64, mode: UInt32 = 0o644, kind: FileKind = .regular, linkTarget: String? = nil) -> LoggedItem {
        var status = FileStatus(kind: kind, permissions: mode, size: size, mtime: FileTime(seconds: 1_700_000_000))
        status.uid = 1000
        status.gid = 100
        var change = ItemizedChange(update: kind == .regular ? .received : .localChange, kind: kind, isNew: true)
        change.isNew = true
        return LoggedItem(operation: .send, change: change, kind: kind, path: Array(path.utf8),
                          linkTarget: linkTarget.map { Array($0.utf8) }, status: status)
    }

    func render(_ format: String, _ item: LoggedItem) -> String {
        LogFormat(format).render(item, context: context)
    }

    func testWidthsAlignmentAndDigitGroups() {
        let dir = file("d", size: 4096, mode: 0o755, kind: .directory)
        XCTAssertEqual(render("[%'-12l][%12'l][%'12l][%-12'l][%0l][%-l]", dir),
                       "[4,096       ][       4,096][       4,096][4,096       ][4096][4096]")
        XCTAssertEqual(render("[%010l][%-010l][%'5l]", file("a", size: 8)), "[         8][8         ][    8]")
        XCTAssertEqual(render("%''l %'''l", dir), "4.10K 4.00K")
        XCTAssertEqual(render("%''l %'''l %'l", file("big", size: 1_263_616)), "1.26M 1.21M 1,263,616")
        XCTAssertEqual(render("[%5n][%-5n][%3n]", dir), "[   d/][d/   ][ d/]")
    }

    func testWhatIsNotAnEscapeIsPrintedAsWritten() {
        let a = file("a", size: 8)
        XCTAssertEqual(render("[%-'12l][%\"l][%q]", a), "[%-'12l][%\"l][%q]")
        XCTAssertEqual(render("%", a), "%")
        XCTAssertEqual(render("x%", a), "x%")
        XCTAssertEqual(render("%%n=%n", a), "%n=a")
        // The daemon's escapes without a daemon, and the module (empty).
        XCTAssertEqual(render("%u|%h|%a|%P|%5u|[%m]", a), "%u|%h|%a|%P|%5u|[]")
        XCTAssertEqual(render("", a), "")
    }

    func testLinksAndTheirPaddedTargets() {
        let link = file("l", size: 1, mode: 0o777, kind: .symlink, linkTarget: "a")
        XCTAssertEqual(render("%n%L", link), "l -> a")
        XCTAssertEqual(render("[%3L][%10L]", link), "[ ->   a][ ->          a]")
        XCTAssertEqual(render("[%3L][%L]", file("big", size: 3)), "[       ][]")
        var hard = file("h", size: 3)
        hard.hardLinkTarget = Array("a".utf8)
        XCTAssertEqual(render("%n%L", hard), "h => a")
    }

    func testItemsAndDeletions() {
        let a = file("sub/a", size: 3)
        XCTAssertEqual(render("%o %i %n", a), "send >f+++++++++ sub/a")
        let gone = LoggedItem(operation: .delete, change: nil, kind: .regular, path: Array("x/gone".utf8))
        XCTAssertEqual(render("%n|%o|%i|%l", gone), "x/gone|del.|*deleting  |0")
        XCTAssertEqual(LogFormat.itemized.render(gone, context: context), "*deleting   x/gone")
        let root = file("", size: 4096, mode: 0o755, kind: .directory)
        XCTAssertEqual(LogFormat.names.render(root, context: context), "./")
    }

    func testPermissionsIdsAndProcess() {
        XCTAssertEqual(render("%B", file("a", size: 1, mode: 0o644)), "rw-r--r--")
        XCTAssertEqual(render("%B", file("d", size: 1, mode: 0o1777, kind: .directory)), "rwxrwxrwt")
        XCTAssertEqual(render("%B", file("s", size: 1, mode: 0o4755)), "rwsr-xr-x")
        XCTAssertEqual(render("%B", file("s", size: 1, mode: 0o2644)), "rw-r-Sr--")
        XCTAssertEqual(render("%U:%G %p", file("a", size: 1)), "1000:100 4242")
    }

    func testTheChecksumIsXXH3OfTheFileInCanonicalOrder() {
        // rsync 3.5.0 printed this %C for a file holding "hi\n" (its local runs choose XXH3-128).
        let bytes: [UInt8] = Array("hi\n".utf8)
        var a = file("a", size: 3)
        a.checksum = bytes.withUnsafeBytes { ContentChecksum.digest(of: $0) }
        XCTAssertEqual(render("%C", a), "f4d0497cf9394caab34d1a3ab2bece70")
        XCTAssertEqual(render("[%C]", file("d", size: 1, kind: .directory)), "[" + String(repeating: " ", count: 32) + "]")
    }

    func testTimesAreLocalInRsyncsShapes() {
        let a = file("a", size: 1)
        XCTAssertEqual(render("%M", a), TimeText.logModification(1_700_000_000))
        XCTAssertEqual(render("%t", a), TimeText.log(0))
        XCTAssertEqual(TimeText.logModification(1_700_000_000).count, "2023/11/14-22:13:20".count)
        XCTAssertTrue(TimeText.logModification(1_700_000_000).contains("-"))
    }

    func testWhetherAFormatItemizes() {
        XCTAssertTrue(LogFormat("%i %n%L").itemizes)
        XCTAssertTrue(LogFormat("%-12i").itemizes)
        XCTAssertFalse(LogFormat("%n %%i").itemizes)
        XCTAssertFalse(LogFormat.names.itemizes)
    }

    func testTheSendersNames() {
        func full(_ source: String, contents: Bool, _ path: String) -> String {
            var paths = SenderPaths()
            if contents {
                paths = SenderPaths(contentsOf: source)
            } else {
                let name = Array(source.split(separator: "/").last.map(String.init)!.utf8)
                paths.add(name: name, from: source)
            }
            return String(decoding: paths.fullPath(of: Array(path.utf8)), as: UTF8.self)
        }
        XCTAssertEqual(full("of/src/", contents: true, ""), "of/src/.")
        XCTAssertEqual(full("of/src/", contents: true, "d/b"), "of/src/d/b")
        XCTAssertEqual(full(".", contents: true, ""), ".")
        XCTAssertEqual(full("./", contents: true, "a"), "a")
        XCTAssertEqual(full("of/src/./d/", contents: true, "b"), "of/src/d/b")
        XCTAssertEqual(full("/tmp/of/src/a", contents: false, "a"), "tmp/of/src/a")
        XCTAssertEqual(full("//tmp//of/src/a", contents: false, "a"), "tmp/of/src/a")
        XCTAssertEqual(full("/tmp/of/src/./a", contents: false, "a"), "tmp/of/src/a")
        XCTAssertEqual(full("/tmp/of/src/../src/a", contents: false, "a"), "tmp/of/src/../src/a")
        XCTAssertEqual(full("../a", contents: false, "a"), "../a")
        XCTAssertEqual(full("of/src", contents: false, "src/a"), "of/src/a")
    }
}
