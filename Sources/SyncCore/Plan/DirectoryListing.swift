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
}

extension DirectoryListing {
    /// Everything left, in key order.
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
        entries.lookUp(name, isDirectory: true)
    }
}

extension Array where Element == FileEntry {
    /// The entry `name` of that kind class in an array in key order (binary search).
    public func lookUp(_ name: [UInt8], isDirectory: Bool) -> FileEntry? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            let order = compareKeys(self[mid].name, isDirectory: self[mid].kind == .directory, name, isDirectory: isDirectory)
            if order == 0 { return self[mid] }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}
