/// rsync's test of whether a symlink points outside the transfer (`--safe-links`,
/// `--copy-unsafe-links`), as rsync 3.5.0 decides it (measured against it: see
/// test_symlink_safety.py). Pure, no I/O.
///
/// A link is unsafe when its target is empty or absolute, when its leading `..` components
/// climb above the transfer's top (the link's own depth below it is the margin), or when a `..`
/// comes after any other component (`a/../x`, `./..`): since 3.4.0 rsync does not trust a
/// path that goes down and back up, as the way down may itself be a symlink. A last `..`
/// counts as a climb only when it is the whole target.
public enum SymlinkSafety {
    /// rsync's munged-link prefix (`--munge-links`), which a sender strips.
    public static let mungePrefix = Array("/rsyncd-munged/".utf8)

    /// Whether the symlink at `path` (relative to the transfer's top, as rsync's file list names
    /// it) with this `target` is unsafe.
    public static func isUnsafe(target: [UInt8], at path: [UInt8]) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        guard let first = target.first, first != slash else { return true }
        func isDotDot(_ c: ArraySlice<UInt8>) -> Bool { c.count == 2 && c.first == dot && c.last == dot }
        func isDot(_ c: ArraySlice<UInt8>) -> Bool { c.count == 1 && c.first == dot }
        var depth = 0
        for component in path.split(separator: slash).dropLast() {
            if isDotDot(component) { depth = 0 } else if !isDot(component) { depth += 1 }
        }
        let components = target.split(separator: slash, omittingEmptySubsequences: false)
        var climbing = true
        for (index, component) in components.enumerated() where !component.isEmpty {
            guard isDotDot(component) else {
                climbing = false
                continue
            }
            if index == components.count - 1 && index > 0 { return true }
            if !climbing { return true }
            depth -= 1
            if depth < 0 { return true }
        }
        return false
    }

    /// `--munge-links` on the sending side: a target rsync munged is sent as it was.
    public static func unmunged(_ target: [UInt8]) -> [UInt8]? {
        guard target.count > mungePrefix.count, target.starts(with: mungePrefix) else { return nil }
        return Array(target.dropFirst(mungePrefix.count))
    }
}
