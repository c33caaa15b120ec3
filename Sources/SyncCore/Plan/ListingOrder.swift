import SyncSystem

/// The order listings are merged in: by name bytes, a directory's name followed by "/".
///
/// It is the order of S3 keys (`a-b` < `a/x` < `a0`), so an object store's flat listing is a
/// walk of the tree in this order and can be cut into directories as it streams; a local
/// listing is simply sorted this way. A file and a directory of one name (`a`, `a/`) sort
/// apart, with other names possibly between them: ``ListingMerge`` looks them up.
@inlinable
public func compareKeys(_ a: [UInt8], isDirectory aIsDirectory: Bool, _ b: [UInt8], isDirectory bIsDirectory: Bool) -> Int {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in compareKeys(pa, isDirectory: aIsDirectory, pb, isDirectory: bIsDirectory) }
    }
}

/// ``compareKeys(_:isDirectory:_:isDirectory:)`` over names where they lie (a sort's shared
/// name buffer).
@inlinable
public func compareKeys(_ a: UnsafeBufferPointer<UInt8>, isDirectory aIsDirectory: Bool,
                        _ b: UnsafeBufferPointer<UInt8>, isDirectory bIsDirectory: Bool) -> Int {
    let n = min(a.count, b.count)
    let r = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
    if r != 0 { return r < 0 ? -1 : 1 }
    let slash = UInt8(ascii: "/")
    if a.count == b.count {
        // `N` before `N/`.
        return aIsDirectory == bIsDirectory ? 0 : (aIsDirectory ? 1 : -1)
    }
    if a.count < b.count {
        // a is a prefix of b: a file a ends first; a directory a goes on with "/".
        guard aIsDirectory else { return -1 }
        return b[n] < slash ? 1 : -1
    }
    guard bIsDirectory else { return 1 }
    return a[n] < slash ? -1 : 1
}

extension FileEntry {
    /// ``compareKeys(_:isDirectory:_:isDirectory:)`` of two entries.
    @inlinable
    public static func keyOrder(_ a: FileEntry, _ b: FileEntry) -> Int {
        compareKeys(a.name, isDirectory: a.kind == .directory, b.name, isDirectory: b.kind == .directory)
    }
}

extension Array where Element == FileEntry {
    /// Sorted in key order (see ``compareKeys(_:isDirectory:_:isDirectory:)``).
    ///
    /// The names are copied into one buffer and the sort moves small trivial keys that point
    /// into it, then each entry is moved into place: sorting the entries themselves copied ~150-byte
    /// values with three references each at every step (a fifth of a 20,000-file no-op's CPU
    /// time), and keys holding the names retained and released one at every comparison (perf).
    public mutating func sortInKeyOrder() {
        guard count > 1 else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(reduce(0) { $0 + $1.name.count })
        var keys: [NameKey] = []
        keys.reserveCapacity(count)
        for (index, entry) in enumerated() {
            keys.append(NameKey(offset: Int32(bytes.count), length: Int32(entry.name.count),
                                isDirectory: entry.isDirectory, index: Int32(index)))
            bytes.append(contentsOf: entry.name)
        }
        bytes.withUnsafeBufferPointer { names in
            keys.sort { a, b in
                compareKeys(a.name(in: names), isDirectory: a.isDirectory, b.name(in: names), isDirectory: b.isDirectory) < 0
            }
        }
        // The permutation applied in place, cycle by cycle: swaps move entries, never copy them.
        var destination = [Int32](repeating: 0, count: count)
        for (position, key) in keys.enumerated() { destination[Int(key.index)] = Int32(position) }
        for start in indices {
            while destination[start] != Int32(start) {
                let target = Int(destination[start])
                swapAt(start, target)
                destination.swapAt(start, target)
            }
        }
    }
}

/// A name in a shared buffer, for sorting without touching the entries.
private struct NameKey {
    var offset: Int32
    var length: Int32
    var isDirectory: Bool
    var index: Int32

    func name(in names: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: names[Int(offset)..<Int(offset + length)])
    }
}

#if canImport(Glibc)
import Glibc
#endif
