import SyncCore
import Synchronization
import SyncSystem

/// A "directory" of S3: a key prefix, "" for the bucket itself or ending in "/".
public final class S3Directory: DirectoryRef, @unchecked Sendable {
    public let bucket: String
    public let prefix: String
    let prefixBytes: [UInt8]

    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
        self.prefixBytes = Array(prefix.utf8)
        super.init(displayPath: "s3://\(bucket)/\(prefix)")
    }

    /// The key of `name` in this directory.
    func key(_ name: [UInt8]) -> String { prefix + String(decoding: name, as: UTF8.self) }

    /// The directory `name` inside this one.
    func child(_ name: [UInt8]) -> S3Directory { S3Directory(bucket: bucket, prefix: key(name) + "/") }
}

/// One flat ListObjectsV2 listing, read page by page (1,000 keys a request) by the directory
/// cursors cut from it: the keys under any prefix are contiguous in key order, so a walk in
/// that order reads the listing once, front to back, holding one page.
///
/// A stream has one reader at a time: the engine's walk of a streamed listing is sequential.
final class S3ListingStream: @unchecked Sendable {
    let client: S3Client
    let bucket: String
    /// The prefix the whole listing is under.
    let prefix: [UInt8]
    private var objects: [S3Object] = []
    private var keys: [[UInt8]] = []
    private var index = 0
    private var continuation: String?
    private var exhausted = false
    /// The last key read past: nothing at or before it can be served any more.
    private(set) var consumed: [UInt8]?

    init(client: S3Client, bucket: String, prefix: [UInt8]) {
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
    }

    /// The next key and its object, nil at the end of the listing.
    func head() async throws -> (key: [UInt8], object: S3Object)? {
        while index >= objects.count {
            if exhausted {
                // Read to the end: the last page is let go.
                objects = []
                keys = []
                index = 0
                return nil
            }
            let page = try await client.listPage(bucket: bucket, prefix: String(decoding: prefix, as: UTF8.self), continuation: continuation)
            objects = page.objects
            keys = page.objects.map { Array($0.key.utf8) }
            index = 0
            continuation = page.next
            exhausted = page.next == nil
        }
        return (keys[index], objects[index])
    }

    func advance() {
        consumed = keys[index]
        index += 1
    }

    /// Whether this stream can still give the keys under `directoryPrefix` in full: it lists
    /// them, and it has read nothing at or after the first of them.
    func canServe(_ directoryPrefix: [UInt8]) -> Bool {
        directoryPrefix.starts(with: prefix) && consumed.map { compareNames($0, directoryPrefix) < 0 } ?? true
    }

    /// Whether a key starting with `keyPrefix` lies at or after the head, if the page in hand
    /// can tell (nil when the answer lies beyond it).
    func bufferedHasKeys(startingWith keyPrefix: [UInt8]) -> Bool? {
        var low = index, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if compareNames(keys[mid], keyPrefix) < 0 { low = mid + 1 } else { high = mid }
        }
        if low < keys.count { return keys[low].starts(with: keyPrefix) }
        return exhausted ? false : nil
    }
}

/// One directory's entries, cut from a ``S3ListingStream``: the objects right under the
/// prefix are files; the first key of each deeper prefix gives a directory (implied, or a
/// `dir/` key of its own). What a subdirectory holds is read by that directory's own cursor
/// when the walk enters it, or skipped here when it does not.
final class S3DirectoryListing: DirectoryListing, @unchecked Sendable {
    let stream: S3ListingStream
    let directory: S3Directory
    private let prefix: [UInt8]
    /// The last subdirectory given: keys below it that nobody read are skipped.
    private var lastDirectory: [UInt8]?
    /// Where keys that cannot be local paths are refused (a local destination), who is told.
    private let refuse: (@Sendable (String) -> Void)?

    init(stream: S3ListingStream, directory: S3Directory, refusingUnsafeKeys refuse: (@Sendable (String) -> Void)?) {
        self.stream = stream
        self.directory = directory
        self.prefix = directory.prefixBytes
        self.refuse = refuse
    }

    /// Whether the part of a key below a directory names a path inside it: no empty, `.` or
    /// `..` component (a key like `../../etc/passwd` must never escape a local destination),
    /// no NUL; an empty last component is a `dir/` key.
    static func isSafe(_ rest: ArraySlice<UInt8>) -> Bool {
        let components = rest.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let dot = UInt8(ascii: ".")
        for (index, component) in components.enumerated() {
            if component.isEmpty && index < components.count - 1 { return false }
            if component.count == 1 && component.first == dot { return false }
            if component.count == 2 && component.allSatisfy({ $0 == dot }) { return false }
            if component.contains(0) { return false }
        }
        return true
    }

    func next() async throws -> FileEntry? {
        while let head = try await stream.head() {
            let (key, object) = head
            guard key.starts(with: prefix) else {
                // Before this directory (a stream started earlier): not ours, skip it; after it: done.
                if compareNames(key, prefix) < 0 { stream.advance(); continue }
                return nil
            }
            let rest = key[prefix.count...]
            if let refuse, !Self.isSafe(rest) {
                stream.advance()
                refuse(directory.path(of: Array(rest)))
                continue
            }
            if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                let name = Array(rest[..<slash])
                if name == lastDirectory {
                    stream.advance()
                    continue
                }
                lastDirectory = name
                // A `dir/` key of its own is the directory itself; keys below it are its contents.
                if slash == rest.index(before: rest.endIndex) { stream.advance() }
                return S3Backend.directoryEntry(name)
            }
            stream.advance()
            // The prefix's own `dir/` key is this directory, not an entry in it.
            if rest.isEmpty { continue }
            return S3Backend.fileEntry(Array(rest), object)
        }
        return nil
    }

    func directory(named name: [UInt8]) async throws -> FileEntry? {
        let keyPrefix = prefix + name + [UInt8(ascii: "/")]
        let known = stream.bufferedHasKeys(startingWith: keyPrefix)
        let has: Bool
        if let known {
            has = known
        } else {
            has = try await stream.client.hasKeys(bucket: directory.bucket, prefix: String(decoding: keyPrefix, as: UTF8.self))
        }
        return has ? S3Backend.directoryEntry(name) : nil
    }
}
