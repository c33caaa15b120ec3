import Synchronization
import SyncSystem

/// One directory's entries in key order (``compareKeys(_:isDirectory:_:isDirectory:)``), read
/// one at a time: a local directory as a sorted array, an S3 prefix as its part of one flat
/// listing streamed page by page.
public protocol DirectoryListing: AnyObject, Sendable {
    /// The next entry, or nil at the end.
    func next() async throws -> FileEntry?
    /// The directory `name` of this listing, if it has one, without consuming anything. A file
    /// and a directory of one name sort apart (`N`, then maybe `N-1`, `N.txt`..., then `N/`),
    /// so the merge asks for the other one by name.
    func directory(named name: [UInt8]) async throws -> FileEntry?
    /// Everything left, in key order.
    func remaining() async throws -> [FileEntry]
}

extension DirectoryListing {
    public func remaining() async throws -> [FileEntry] {
        var entries: [FileEntry] = []
        while let entry = try await next() { entries.append(entry) }
        return entries
    }
}

/// A listing already in memory (a local directory's).
public final class ArrayListing: DirectoryListing {
    /// The entries in key order.
    public let entries: [FileEntry]
    private let position = Atomic<Int>(0)

    /// `entries` must be in key order.
    public init(sorted entries: [FileEntry]) {
        self.entries = entries
    }

    public convenience init(_ entries: [FileEntry]) {
        var sorted = entries
        sorted.sortInKeyOrder()
        self.init(sorted: sorted)
    }

    public func next() -> FileEntry? {
        let index = position.add(1, ordering: .relaxed).oldValue
        return index < entries.count ? entries[index] : nil
    }

    public func directory(named name: [UInt8]) -> FileEntry? {
        entries.lookUpDirectory(name)
    }

    /// The array itself when nothing was read yet (no entry copied).
    public func remaining() -> [FileEntry] {
        let start = position.exchange(entries.count, ordering: .relaxed)
        if start == 0 { return entries }
        return start < entries.count ? Array(entries[start...]) : []
    }
}
