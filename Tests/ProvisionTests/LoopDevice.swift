import XCTest
import SyncCore
@testable import Provision
import SyncSystem

/// An image file in /tmp attached as a loop device (`losetup -f --show`), detached and removed
/// when the value goes away. Loop devices are required: without /dev/loop-control the test fails.
final class LoopDevice {
    let image: String
    let path: String
    static let runner = SystemCommandRunner()

    init(megabytes: Int = 64, file: StaticString = #filePath, line: UInt = #line) throws {
        guard (try? FileSystem.statusIfPresent("/dev/loop-control")) != nil else {
            XCTFail("loop devices are needed (no /dev/loop-control): the RAID1 tests cannot run here", file: file, line: line)
            throw ProvisionError.failed("no /dev/loop-control")
        }
        image = "/tmp/swiftsync-loop-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img"
        let fd = try FileSystem.open(Array(image.utf8), in: FileSystem.currentDirectory, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600, path: image)
        defer { FileSystem.close(fd) }
        try FileSystem.truncate(fd, to: Int64(megabytes) << 20, path: image)
        let attached = try Self.runner.check(Command("losetup", ["-f", "--show", image]))
        path = attached.output.trimmingCharacters(in: "\n")
    }

    deinit {
        _ = try? Self.runner.run(Command("losetup", ["-d", path]))
        _ = try? FileSystem.removeFile(image)
    }

    /// Runs a command for real and returns its trimmed stdout (fails on a non-zero exit).
    @discardableResult
    static func sh(_ program: String, _ arguments: [String]) throws -> String {
        try runner.check(Command(program, arguments)).output.trimmingCharacters(in: "\n")
    }
}
