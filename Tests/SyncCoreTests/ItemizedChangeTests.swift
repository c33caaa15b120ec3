import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// rsync's `-i` lines and the escaping of names in everything printed.
final class ItemizedChangeTests: XCTestCase {
    func testNewItems() {
        XCTAssertEqual(ItemizedChange(update: .received, kind: .regular, isNew: true).code, ">f+++++++++")
        XCTAssertEqual(ItemizedChange(update: .localChange, kind: .directory, isNew: true).code, "cd+++++++++")
        XCTAssertEqual(ItemizedChange(update: .localChange, kind: .symlink, isNew: true).code, "cL+++++++++")
        XCTAssertEqual(ItemizedChange(update: .localChange, kind: .characterDevice, isNew: true).code, "cD+++++++++")
        XCTAssertEqual(ItemizedChange(update: .localChange, kind: .blockDevice, isNew: true).code, "cD+++++++++")
        XCTAssertEqual(ItemizedChange(update: .localChange, kind: .fifo, isNew: true).code, "cS+++++++++")
        XCTAssertEqual(ItemizedChange(update: .localChange, kind: .socket, isNew: true).code, "cS+++++++++")
        // "New" wins over any attribute flag.
        var c = ItemizedChange(update: .received, kind: .regular, isNew: true)
        c.size = true
        c.time = true
        XCTAssertEqual(c.code, ">f+++++++++")
    }

    func testAttributeColumns() {
        var dir = ItemizedChange(update: .attributesOnly, kind: .directory)
        // Unchanged (shown at -ii): blank columns, as rsync 3.5.0 prints ".d          d/".
        XCTAssertEqual(dir.code, ".d         ")
        dir.time = true
        XCTAssertEqual(dir.code, ".d..t......")

        var link = ItemizedChange(update: .localChange, kind: .symlink)
        link.checksum = true
        link.time = true
        XCTAssertEqual(link.code, "cLc.t......")

        var file = ItemizedChange(update: .received, kind: .regular)
        file.size = true
        file.timeIsTransferTime = true
        XCTAssertEqual(file.code, ">f.sT......")

        var all = ItemizedChange(update: .received, kind: .regular)
        all.checksum = true
        all.size = true
        all.time = true
        all.permissions = true
        all.owner = true
        all.group = true
        all.accessTime = true
        XCTAssertEqual(all.code, ">fcstpogu..")

        var perms = ItemizedChange(update: .attributesOnly, kind: .regular)
        perms.permissions = true
        XCTAssertEqual(perms.code, ".f...p.....")
        var owner = ItemizedChange(update: .attributesOnly, kind: .regular)
        owner.owner = true
        XCTAssertEqual(owner.code, ".f....o....")
        var group = ItemizedChange(update: .attributesOnly, kind: .regular)
        group.group = true
        XCTAssertEqual(group.code, ".f.....g...")
        // `t` wins over `T` when both are set.
        var both = ItemizedChange(update: .received, kind: .regular)
        both.time = true
        both.timeIsTransferTime = true
        XCTAssertEqual(both.code, ">f..t......")
    }

    func testCodesAreAlwaysElevenCharacters() {
        for update in [ItemizedChange.Update.received, .localChange, .hardLink, .attributesOnly] {
            for kind in [FileKind.regular, .directory, .symlink, .blockDevice, .characterDevice, .fifo, .socket] {
                for isNew in [false, true] {
                    var c = ItemizedChange(update: update, kind: kind, isNew: isNew)
                    XCTAssertEqual(c.code.count, 11, c.code)
                    c.size = true
                    XCTAssertEqual(c.code.count, 11, c.code)
                }
            }
        }
    }

    func testHardLinkCodes() {
        XCTAssertEqual(ItemizedChange(update: .hardLink, kind: .regular).code, "hf" + String(repeating: " ", count: 9))
        XCTAssertEqual(ItemizedChange(update: .hardLink, kind: .regular, isNew: true).code, "hf+++++++++")
        var changed = ItemizedChange(update: .hardLink, kind: .regular)
        changed.time = true
        XCTAssertEqual(changed.code, "hf..t......")
    }

    func testSignificance() {
        XCTAssertFalse(ItemizedChange(update: .attributesOnly, kind: .regular).isSignificant)
        XCTAssertFalse(ItemizedChange(update: .attributesOnly, kind: .directory).isSignificant)
        XCTAssertTrue(ItemizedChange(update: .received, kind: .regular).isSignificant)
        XCTAssertTrue(ItemizedChange(update: .localChange, kind: .symlink).isSignificant)
        XCTAssertTrue(ItemizedChange(update: .hardLink, kind: .regular).isSignificant)
        XCTAssertTrue(ItemizedChange(update: .attributesOnly, kind: .directory, isNew: true).isSignificant)
        var t = ItemizedChange(update: .attributesOnly, kind: .directory)
        t.time = true
        XCTAssertTrue(t.isSignificant)
        var p = ItemizedChange(update: .attributesOnly, kind: .regular)
        p.permissions = true
        XCTAssertTrue(p.isSignificant)
    }

    /// `-i`'s line: the `%i %n%L` format.
    private func line(_ change: ItemizedChange, path: [UInt8], linkTarget: [UInt8]? = nil, hardLinkTarget: [UInt8]? = nil) -> String {
        LogFormat.itemized.render(LoggedItem(operation: .send, change: change, kind: change.kind, path: path, linkTarget: linkTarget,
                                             hardLinkTarget: hardLinkTarget), context: LogContext(now: 0, pid: 1))
    }

    private func deletionLine(path: [UInt8], kind: FileKind) -> String {
        LogFormat.itemized.render(LoggedItem(operation: .delete, change: nil, kind: kind, path: path), context: LogContext(now: 0, pid: 1))
    }

    func testLines() {
        XCTAssertEqual(line(ItemizedChange(update: .received, kind: .regular, isNew: true), path: b("dir/file.txt")),
                       ">f+++++++++ dir/file.txt")
        var root = ItemizedChange(update: .attributesOnly, kind: .directory)
        root.time = true
        XCTAssertEqual(line(root, path: []), ".d..t...... ./")
        XCTAssertEqual(line(ItemizedChange(update: .localChange, kind: .directory, isNew: true), path: b("sub")), "cd+++++++++ sub/")
        XCTAssertEqual(line(ItemizedChange(update: .localChange, kind: .symlink, isNew: true), path: b("l"), linkTarget: b("../t x")),
                       "cL+++++++++ l -> ../t x")
        XCTAssertEqual(line(ItemizedChange(update: .hardLink, kind: .regular, isNew: true), path: b("d/b"), hardLinkTarget: b("a")),
                       "hf+++++++++ d/b => a")
        XCTAssertEqual(ItemizedChange.displayName(path: b("n\nl"), kind: .symlink, linkTarget: b("t\n")), "n\\#012l -> t\\#012")
    }

    func testDeletionLines() {
        XCTAssertEqual(deletionLine(path: b("x"), kind: .directory), "*deleting   x/")
        XCTAssertEqual(deletionLine(path: b("a/b.txt"), kind: .regular), "*deleting   a/b.txt")
        XCTAssertEqual(deletionLine(path: b("l"), kind: .symlink), "*deleting   l")
    }

    // MARK: DisplayPath

    func testEscapeKeepsPrintableTextAndValidUTF8() {
        XCTAssertEqual(DisplayPath.escape(b("plain/name.txt")), "plain/name.txt")
        XCTAssertEqual(DisplayPath.escape(b("café ☃ 日本")), "café ☃ 日本")
        XCTAssertEqual(DisplayPath.escape(b("tab\there")), "tab\there")
        XCTAssertEqual(DisplayPath.escape(b("back\\slash")), "back\\slash")
        XCTAssertEqual(DisplayPath.escape([]), "")
    }

    func testEscapeControlBytesAndInvalidUTF8AsOctal() {
        XCTAssertEqual(DisplayPath.escape(b("nl\nx")), "nl\\#012x")
        XCTAssertEqual(DisplayPath.escape(b("cr\rx")), "cr\\#015x")
        XCTAssertEqual(DisplayPath.escape([0x01]), "\\#001")
        XCTAssertEqual(DisplayPath.escape([UInt8(ascii: "a"), 0xFF, UInt8(ascii: "b")]), "a\\#377b")
        // A lone continuation byte, a truncated sequence, an overlong encoding.
        XCTAssertEqual(DisplayPath.escape([0x80]), "\\#200")
        XCTAssertEqual(DisplayPath.escape([0xC3]), "\\#303")
        XCTAssertEqual(DisplayPath.escape([0xE2, 0x98]), "\\#342\\#230")
        XCTAssertEqual(DisplayPath.escape([0xC0, 0xAF]), "\\#300\\#257")
        // Valid characters next to invalid bytes survive.
        XCTAssertEqual(DisplayPath.escape([0xFF] + b("é")), "\\#377é")
    }

    func testEscapeBackslashHashDigitsSoTheOutputIsUnambiguous() {
        XCTAssertEqual(DisplayPath.escape(b("a\\#123")), "a\\#134#123")
    }

    func testJoin() {
        XCTAssertEqual(DisplayPath.join([], b("x")), b("x"))
        XCTAssertEqual(DisplayPath.join(b("a/b"), b("x")), b("a/b/x"))
    }

    /// The installed rsync (C.UTF-8, as the end-to-end tests run it) prints each odd name; our
    /// escaping must give the same text.
    func testEscapeAgreesWithRsync() throws {
        let tmp = try TemporaryDirectory()
        let src = tmp("src"), dst = tmp("dst")
        makeDirectories(src)
        makeDirectories(dst)
        let names: [[UInt8]] = [
            b("nl\nx"), b("tab\tx"), [0x62, 0x61, 0x64, 0xFF, 0x78], b("back\\x"), b("é ☃"),
            b("bs\\#123"), b("cr\rx"), [0x01, 0x41], [0xC3, 0x28],
        ]
        for name in names {
            let fd = try FileSystem.open(b(src + "/") + name, in: FileSystem.currentDirectory, flags: O_WRONLY | O_CREAT, path: "")
            FileSystem.close(fd)
        }
        let result = rsync(["-a", "-n", "--out-format=%n", src + "/", dst + "/"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let printed = Set(result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty && $0 != "./" })
        let ours = Set(names.map { DisplayPath.escape($0) })
        XCTAssertEqual(printed.count, names.count, "\(printed.sorted())")
        XCTAssertEqual(ours.subtracting(printed).sorted(), [], "ours but not rsync's (rsync printed \(printed.subtracting(ours).sorted()))")
    }

    /// rsync escapes a backslash only before `#` and three digits, and prints DEL (0x7F) as is
    /// (installed rsync in C.UTF-8: `back\#x` and `del<0x7F>x` are printed unchanged).
    func testEscapeMatchesRsyncForBackslashHashWithoutDigitsAndDelete() {
        XCTAssertEqual(DisplayPath.escape(b("back\\#x")), "back\\#x")
        XCTAssertEqual(DisplayPath.escape(b("del\u{7F}x")), "del\u{7F}x")
    }
}
