import Foundation
import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

// Shared helpers for the SyncCore tests: temp trees, raw file helpers, running the real
// rsync (the oracle), and waiting for async work with a deadline so a deadlock fails a test
// instead of hanging the run.

/// The bytes of a string.
func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A private directory under /tmp, removed (with everything in it) when released.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/swiftsync-tests.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { try? FileSystem.removeTree(b(path), in: FileSystem.currentDirectory, path: path) }

    /// An absolute path inside the directory.
    func callAsFunction(_ relative: String) -> String { relative.isEmpty ? path : path + "/" + relative }
}

/// Creates `path` and its parents.
func makeDirectories(_ path: String, mode: mode_t = 0o755) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
        prefix += component
        _ = mkdir(prefix, mode)
        prefix += "/"
    }
}

extension FileSystem {
    /// Removes a tree given by an absolute path (test setup).
    static func removeTreeForTest(_ path: String) {
        try? removeTree(b(path), in: currentDirectory, path: path)
    }
}

/// Writes `bytes` to `path` (creating or truncating it), optionally setting mode and mtime.
@discardableResult
func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t? = nil, mtime: FileTime? = nil,
               file: StaticString = #filePath, line: UInt = #line) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
        XCTFail("open \(path): \(String(cString: strerror(errno)))", file: file, line: line)
        return false
    }
    defer { close(fd) }
    let ok = bytes.withUnsafeBytes { raw in
        (try? FileSystem.writeAll(fd, raw, path: path)) != nil
    }
    if let mode { fchmod(fd, mode) }
    if let mtime { setTimes(path, mtime: mtime) }
    return ok
}

func writeFile(_ path: String, _ text: String, mode: mode_t? = nil, mtime: FileTime? = nil) {
    writeFile(path, b(text), mode: mode, mtime: mtime)
}

/// The whole contents of the file at `path` (nil when it cannot be read).
func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        result += buffer[0..<n]
    }
    return result
}

func readText(_ path: String) -> String? { readFile(path).map { String(decoding: $0, as: UTF8.self) } }

/// `lstat` of an absolute path; nil when missing.
func linkStatus(_ path: String) -> FileStatus? {
    try? FileSystem.linkStatus(b(path), in: FileSystem.currentDirectory, path: path)
}

func exists(_ path: String) -> Bool { linkStatus(path) != nil }

/// Sets the mtime (and atime) of `path` without following a symlink.
func setTimes(_ path: String, mtime: FileTime) {
    try? FileSystem.setTimes(b(path), in: FileSystem.currentDirectory, access: mtime, modification: mtime, path: path)
}

/// The names in a directory, sorted (without `.` and `..`).
func directoryNames(_ path: String) -> [String] {
    guard let fd = try? FileSystem.openDirectory(b(path), in: FileSystem.currentDirectory, path: path) else { return [] }
    defer { FileSystem.close(fd) }
    let names = (try? FileSystem.readDirectoryNames(fd, path: path)) ?? []
    return names.map { String(decoding: $0, as: UTF8.self) }.sorted()
}

/// A random but reproducible byte buffer.
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        out[i] = UInt8(truncatingIfNeeded: state)
    }
    return out
}

// MARK: Processes

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an executable to completion (C.UTF-8 locale, as the end-to-end tests use).
func run(_ executable: String, _ arguments: [String], currentDirectory: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["LC_ALL"] = "C.UTF-8"
    environment.removeValue(forKey: "LANG")
    process.environment = environment
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so neither can fill up and stall the child.
    let errData = Box<Data>(Data())
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.get() ?? Data(), as: UTF8.self))
}

let rsyncPath = "/usr/bin/rsync"

/// Runs the real rsync; fails the test (not skips it) when it is missing.
func rsync(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> ProcessResult {
    guard access(rsyncPath, X_OK) == 0 else {
        XCTFail("rsync is required at \(rsyncPath) (the tests' oracle)", file: file, line: line)
        return ProcessResult(status: -1, stdout: "", stderr: "")
    }
    do {
        return try run(rsyncPath, arguments)
    } catch {
        XCTFail("running rsync failed: \(error)", file: file, line: line)
        return ProcessResult(status: -1, stdout: "", stderr: "")
    }
}

/// What `rsync -a -c -n -i --delete A/ B/` reports: empty when the trees are equal
/// (contents, types, links, permissions, times).
func treeDifferences(_ a: String, _ b: String, extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> String {
    let result = rsync(["-a", "-c", "-n", "-i", "--delete"] + extra + [a + "/", b + "/"], file: file, line: line)
    XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
    return result.stdout
}

// MARK: Async helpers

/// A value shared between tasks and threads.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    init(_ value: T? = nil) { self.value = value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T? { lock.lock(); defer { lock.unlock() }; return value }
    var isSet: Bool { self.get() != nil }
    /// Changes the value under the lock.
    func mutate(_ body: (inout T?) -> Void) { lock.lock(); body(&value); lock.unlock() }
}

/// Runs `operation` in its own task and waits at most `seconds` for it. Returns nil on a
/// timeout (the stuck task is abandoned, so a deadlock fails the test instead of hanging it).
func withDeadline<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let box = Box<T>()
    Task { box.set(await operation()) }
    let deadline = Date().addingTimeInterval(seconds)
    while !box.isSet && Date() < deadline {
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return box.get()
}

/// Whether `condition` stays false for `seconds` (used to show that something is blocked).
func staysFalse(for seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return false }
        try? await Task.sleep(nanoseconds: 2_000_000)
    }
    return !condition()
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return condition()
}

// MARK: Entries

/// A listing entry for planner tests.
func entry(_ name: String, _ kind: FileKind = .regular, size: Int64 = 0, mtime: Int64 = 0) -> FileEntry {
    FileEntry(name: b(name), status: FileStatus(kind: kind, permissions: kind == .directory ? 0o755 : 0o644,
                                                size: size, mtime: FileTime(seconds: mtime)))
}

/// A reporter that writes to /dev/null, so engine tests stay quiet.
final class QuietOutput {
    let outFD: Int32
    let errFD: Int32
    init() {
        outFD = open("/dev/null", O_WRONLY | O_CLOEXEC)
        errFD = open("/dev/null", O_WRONLY | O_CLOEXEC)
    }
    func reporter(_ options: SyncReporter.Options = .init()) -> SyncReporter {
        SyncReporter(options: options, out: OutputSink(fd: outFD), err: OutputSink(fd: errFD))
    }
    deinit {
        close(outFD)
        close(errFD)
    }
}
