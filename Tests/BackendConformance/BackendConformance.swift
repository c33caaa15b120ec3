// Built by `swift build` too (it builds every target), where XCTest is not there: the suite
// exists only in test builds, the fixture protocol and sources in both.
#if canImport(XCTest)
import XCTest
import SyncCore
import SyncSystem

/// One conformance suite for every ``Backend``: what the engine relies on, checked the same way
/// for the local filesystem, S3 (on moto_server) and the dry-run wrapper. A backend that makes
/// changes must make them exactly; the dry run must accept the same calls and change nothing.
/// Parts that need a capability (directories of their own, symlinks, hard links, modes) run
/// only where the backend declares it.
public struct BackendConformance {
    public let fixture: any ConformanceFixture
    var backend: any Backend { fixture.backend }
    var label: String { fixture.label }
    var makesChanges: Bool { fixture.makesChanges }
    var capabilities: BackendCapabilities { backend.capabilities }

    public init(_ fixture: any ConformanceFixture) { self.fixture = fixture }

    /// Every check, by name: a test case per backend runs each with a fresh fixture.
    public static let all: [(name: String, run: @Sendable (BackendConformance) async throws -> Void)] = [
        ("openRootAndDirectory", { try await $0.openRootAndDirectory() }),
        ("listIsSortedWithKindsAndSizes", { try await $0.listIsSortedWithKindsAndSizes() }),
        ("entryLooksUpOneName", { try await $0.entryLooksUpOneName() }),
        ("openFileReadsTheBytes", { try await $0.openFileReadsTheBytes() }),
        ("putFileFromALocalFile", { try await $0.putFileFromALocalFile() }),
        ("putFileFromAStream", { try await $0.putFileFromAStream() }),
        ("putFileReplacesAndLeavesNothingBehind", { try await $0.putFileReplacesAndLeavesNothingBehind() }),
        ("putFileStoppedLeavesNothingBehind", { try await $0.putFileStoppedLeavesNothingBehind() }),
        ("makeDirectoryThenOpenIt", { try await $0.makeDirectoryThenOpenIt() }),
        ("removeReportsEveryPathDeepestFirst", { try await $0.removeReportsEveryPathDeepestFirst() }),
        ("renameMovesBetweenDirectories", { try await $0.renameMovesBetweenDirectories() }),
        ("makeRootMakesParents", { try await $0.makeRootMakesParents() }),
        ("pathsBelowARoot", { try await $0.pathsBelowARoot() }),
        ("sameDirectory", { try await $0.sameDirectory() }),
    ]

    func root(file: StaticString = #filePath, line: UInt = #line) async throws -> DirectoryRef {
        guard let ref = try await backend.openRoot(fixture.rootPath, followSymlink: false) else {
            XCTFail("\(label): openRoot of the fixture's root gave nil", file: file, line: line)
            throw FileSystemError(operation: "opendir", path: "root", errno: 2)
        }
        return ref
    }

    func errno(_ body: () async throws -> Void) async -> Int32? { await errnoOf(body) }

    // MARK: Opening and listing

    public func openRootAndDirectory() async throws {
        try await fixture.write("sub/inner", "x")
        try await fixture.write("file", "x")
        let ref = try await root()
        XCTAssertTrue(ref.exists, label)
        let sub = try await backend.openDirectory(b("sub"), in: ref)
        XCTAssertNotNil(sub, label)
        if capabilities.contains(.directories) {
            // Where directories exist by themselves, a missing one is nil and a file is no directory.
            let missing = try await backend.openDirectory(b("missing"), in: ref)
            XCTAssertNil(missing, "\(label): openDirectory of a missing name")
            let missingRoot = try await backend.openRoot(fixture.missingPath, followSymlink: false)
            XCTAssertNil(missingRoot, "\(label): openRoot of a missing path")
            let notDirectory = await errno { _ = try await backend.openDirectory(b("file"), in: ref) }
            XCTAssertEqual(notDirectory, ENOTDIR, label)
        }
        if let sub {
            let names = try await backend.entries(of: sub).map(\.name)
            XCTAssertEqual(names, [b("inner")], label)
        }
    }

    public func listIsSortedWithKindsAndSizes() async throws {
        let names = ["b", "a", "B", "é", "a.b", "a0", "Z", "sp ace", "x-y", "x0"]
        for (index, name) in names.enumerated() {
            try await fixture.write(name, [UInt8](repeating: 0x61, count: index))
        }
        try await fixture.write("d/inside", "i")
        try await fixture.write("x/inside", "i")
        let ref = try await root()
        let listing = try await backend.entries(of: ref)
        // Key order: a directory sorts as its name followed by "/", so x-y < x/ < x0.
        let expected = ["B", "Z", "a", "a.b", "a0", "b", "d", "sp ace", "x-y", "x", "x0", "é"].map(b)
        XCTAssertEqual(listing.map(\.name), expected, label)
        for entry in listing {
            let name = String(decoding: entry.name, as: UTF8.self)
            if name == "d" || name == "x" {
                XCTAssertEqual(entry.kind, .directory, label)
            } else {
                XCTAssertEqual(entry.kind, .regular, "\(label): \(name)")
                XCTAssertEqual(entry.status.size, Int64(names.firstIndex(of: name) ?? -1), "\(label): size of \(name)")
            }
        }
        let again = try await backend.entries(of: ref).map(\.name)
        XCTAssertEqual(again, listing.map(\.name), "\(label): listing again gives the same answer")
        let cursor = try await backend.list(ref)
        let first = try await cursor.next()
        XCTAssertEqual(first?.name, b("B"), label)
        let x = try await cursor.directory(named: b("x"))
        XCTAssertEqual(x?.kind, .directory, "\(label): a directory looked up by name")
        let noDirectory = try await cursor.directory(named: b("a0"))
        XCTAssertNil(noDirectory, "\(label): a file is no directory")
        let second = try await cursor.next()
        XCTAssertEqual(second?.name, b("Z"), "\(label): a look-up consumes nothing")
    }

    public func entryLooksUpOneName() async throws {
        try await fixture.write("f", "12345")
        try await fixture.write("dir/x", "x")
        let ref = try await root()
        let missing = try await backend.entry(b("missing"), in: ref, followSymlink: false)
        XCTAssertNil(missing, label)
        let f = try await backend.entry(b("f"), in: ref, followSymlink: false)
        XCTAssertEqual(f?.kind, .regular, label)
        XCTAssertEqual(f?.status.size, 5, label)
        XCTAssertEqual(f?.name, b("f"), label)
        let dir = try await backend.entry(b("dir"), in: ref, followSymlink: false)
        XCTAssertEqual(dir?.kind, .directory, label)
    }

    // MARK: Reading

    public func openFileReadsTheBytes() async throws {
        let content = conformanceBytes(300_000)
        try await fixture.write("r", content, mtime: FileTime(seconds: 1_500_000_000))
        let ref = try await root()
        let listed = try await backend.entry(b("r"), in: ref, followSymlink: false)
        let source = try await backend.openFile(b("r"), in: ref, listed: listed)
        XCTAssertEqual(source.status.size, Int64(content.count), label)
        let collected = Collected(size: content.count)
        try await source.read { offset, bytes in collected.put(offset, bytes) }
        XCTAssertEqual(collected.bytes, content, "\(label): the bytes read")
        let missing = await errno { _ = try await backend.openFile(b("missing"), in: ref, listed: nil) }
        XCTAssertEqual(missing, ENOENT, "\(label): opening a missing file is ENOENT (a vanished file)")
    }

    // MARK: Writing

    public func putFileFromALocalFile() async throws {
        let content = conformanceBytes(300_000)
        let ref = try await root()
        let mtime = FileTime(seconds: 1_600_000_000, nanoseconds: 123_456_789)
        let written = try await backend.putFile(b("new"), in: ref, from: try fixture.localSource(content),
                                                attributes: { _ in AttributeSet(permissions: 0o640, mtime: mtime) }, options: WriteOptions())
        let stored = try await fixture.read("new")
        let files = try await fixture.files()
        if makesChanges {
            XCTAssertEqual(written, Int64(content.count), label)
            XCTAssertEqual(stored, content, label)
            XCTAssertEqual(files, ["new"], "\(label): nothing else (no temp file) may remain")
            if let entry = try await backend.entry(b("new"), in: ref, followSymlink: false) {
                XCTAssertEqual(entry.status.size, Int64(content.count), label)
                if capabilities.contains(.settableTimes) { XCTAssertEqual(entry.status.mtime, mtime, "\(label): mtime with nanoseconds") }
                if capabilities.contains(.posixAttributes) { XCTAssertEqual(entry.status.permissions, 0o640, label) }
            } else {
                XCTFail("\(label): the new file has no entry")
            }
        } else {
            XCTAssertNil(stored, "\(label): a dry run wrote a file")
            XCTAssertEqual(files, [], label)
        }
    }

    public func putFileFromAStream() async throws {
        let content = conformanceBytes(100_001)
        let ref = try await root()
        _ = try await backend.putFile(b("streamed"), in: ref, from: StreamedSource(content),
                                      attributes: { status in AttributeSet(permissions: status.permissions, mtime: status.mtime) },
                                      options: WriteOptions())
        let stored = try await fixture.read("streamed")
        XCTAssertEqual(stored, makesChanges ? content : nil, "\(label): pieces placed at their offsets")
    }

    public func putFileReplacesAndLeavesNothingBehind() async throws {
        try await fixture.write("f", "old contents")
        let ref = try await root()
        for _ in 0..<3 {
            _ = try await backend.putFile(b("f"), in: ref, from: try fixture.localSource(b("brand new")),
                                          attributes: { _ in AttributeSet(permissions: 0o600) }, options: WriteOptions())
        }
        let stored = try await fixture.read("f")
        XCTAssertEqual(stored, b(makesChanges ? "brand new" : "old contents"), label)
        let files = try await fixture.files()
        XCTAssertEqual(files, ["f"], "\(label): temp files left behind")
    }

    public func putFileStoppedLeavesNothingBehind() async throws {
        try await fixture.write("keep", "original")
        let content = conformanceBytes(100_000)
        let ref = try await root()
        for name in ["keep", "fresh"] {
            do {
                _ = try await backend.putFile(b(name), in: ref, from: StoppingSource(try fixture.localSource(content)),
                                              attributes: { _ in AttributeSet() }, options: WriteOptions())
                if makesChanges { XCTFail("\(label): a write told to stop must throw") }
            } catch {
                XCTAssertTrue(error is SyncInterrupted, "\(label): \(error)")
            }
        }
        let kept = try await fixture.read("keep")
        XCTAssertEqual(kept, b("original"), label)
        let files = try await fixture.files()
        XCTAssertEqual(files, ["keep"], "\(label): an interrupted write left files behind")
    }

    public func makeDirectoryThenOpenIt() async throws {
        let ref = try await root()
        try await backend.makeDirectory(b("newdir"), in: ref, permissions: 0o750)
        let opened = try await backend.openDirectory(b("newdir"), in: ref)
        if makesChanges || !capabilities.contains(.directories) {
            XCTAssertNotNil(opened, "\(label): a directory just made opens")
        }
        if let opened {
            _ = try await backend.putFile(b("inside"), in: opened, from: try fixture.localSource(b("in")),
                                          attributes: { _ in AttributeSet() }, options: WriteOptions())
            let stored = try await fixture.read("newdir/inside")
            XCTAssertEqual(stored, makesChanges ? b("in") : nil, label)
        }
        if makesChanges && capabilities.contains(.directories) {
            let again = await errno { try await backend.makeDirectory(b("newdir"), in: ref, permissions: 0o755) }
            XCTAssertEqual(again, EEXIST, label)
        }
    }

    // MARK: Removing and renaming

    public func removeReportsEveryPathDeepestFirst() async throws {
        try await fixture.write("t/a", "a")
        try await fixture.write("t/b/c", "c")
        try await fixture.write("t/b/d", "d")
        try await fixture.write("single", "s")
        let ref = try await root()
        let reported = Reported()
        try await backend.remove(b("t"), in: ref, kind: .directory) { path, kind in reported.add(path, kind) }
        // rsync's order: reverse name order within a directory, contents before the directory.
        XCTAssertEqual(reported.paths, ["t/b/d", "t/b/c", "t/b", "t/a", "t"], label)
        XCTAssertEqual(reported.kinds, [.regular, .regular, .directory, .regular, .directory], label)
        let single = Reported()
        try await backend.remove(b("single"), in: ref, kind: .regular) { path, kind in single.add(path, kind) }
        XCTAssertEqual(single.paths, ["single"], label)
        let files = try await fixture.files()
        XCTAssertEqual(files, makesChanges ? [] : ["single", "t/a", "t/b/c", "t/b/d"], label)
    }

    public func renameMovesBetweenDirectories() async throws {
        try await fixture.write("r1", "moving")
        try await fixture.write("sub/other", "o")
        let ref = try await root()
        let sub = try await backend.openDirectory(b("sub"), in: ref)
        try await backend.rename(b("r1"), in: ref, to: b("r2"), in: XCTUnwrap(sub))
        let files = try await fixture.files()
        XCTAssertEqual(files, makesChanges ? ["sub/other", "sub/r2"] : ["r1", "sub/other"], label)
        let moved = try await fixture.read(makesChanges ? "sub/r2" : "r1")
        XCTAssertEqual(moved, b("moving"), label)
    }

    public func makeRootMakesParents() async throws {
        let ref = try await root()
        let deep = try await backend.makeRoot(b("p/q/r"), relativeTo: ref, parents: true)
        XCTAssertEqual(deep.exists, makesChanges || !capabilities.contains(.directories), label)
        if deep.exists {
            _ = try await backend.putFile(b("f"), in: deep, from: try fixture.localSource(b("deep")),
                                          attributes: { _ in AttributeSet() }, options: WriteOptions())
            let stored = try await fixture.read("p/q/r/f")
            XCTAssertEqual(stored, makesChanges ? b("deep") : nil, label)
        }
        let again = try await backend.openRoot(b("p/q/r"), relativeTo: ref, followSymlink: false)
        if makesChanges { XCTAssertNotNil(again, label) }
    }

    public func pathsBelowARoot() async throws {
        try await fixture.write("x/y/z", "zzz")
        let ref = try await root()
        let found = try await backend.entry(atPath: b("x/y/z"), beneath: ref)
        XCTAssertEqual(found?.kind, .regular, label)
        XCTAssertEqual(found?.status.size, 3, label)
        let missing = try await backend.entry(atPath: b("x/nope/z"), beneath: ref)
        XCTAssertNil(missing, label)
        let source = try await backend.openFile(atPath: b("x/y/z"), beneath: ref)
        let collected = Collected(size: 3)
        try await source.read { offset, bytes in collected.put(offset, bytes) }
        XCTAssertEqual(collected.bytes, b("zzz"), label)
    }

    public func sameDirectory() async throws {
        try await fixture.write("s/f", "f")
        let ref = try await root()
        let a = try await backend.openDirectory(b("s"), in: ref)
        let again = try await backend.openDirectory(b("s"), in: ref)
        let same = try await backend.isSameDirectory(XCTUnwrap(a), XCTUnwrap(again))
        XCTAssertTrue(same, label)
        let other = try await backend.isSameDirectory(XCTUnwrap(a), ref)
        XCTAssertFalse(other, label)
    }
}

/// Bytes read in pieces, put back at their offsets.
public final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8]
    public init(size: Int) { buffer = [UInt8](repeating: 0, count: size) }
    public func put(_ offset: Int64, _ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        let end = Int(offset) + bytes.count
        if end > buffer.count { buffer += [UInt8](repeating: 0, count: end - buffer.count) }
        buffer.replaceSubrange(Int(offset)..<end, with: bytes)
    }
    public var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return buffer }
}

/// Paths a removal reported, in order.
public final class Reported: @unchecked Sendable {
    public private(set) var paths: [String] = []
    public private(set) var kinds: [FileKind] = []
    public init() {}
    public func add(_ path: [UInt8], _ kind: FileKind) {
        paths.append(String(decoding: path, as: UTF8.self))
        kinds.append(kind)
    }
}
#endif
