/// The sender's name for an entry, which `%f` shows: rsync's sender works from the directory
/// each source argument names, so `SRC/` makes `SRC/.` and `SRC/a`, `/abs/x` makes `abs/x`,
/// and `.` makes `.` and `a` — the argument cleaned of repeated slashes, `.` components and a
/// leading `/` (`..` stays, as rsync keeps it).
struct SenderPaths: Sendable {
    /// For a run that copies one directory's contents (`SRC/`): that directory.
    var contentsDirectory: [UInt8]?
    /// For named sources: each top-level name's directory.
    var parents: [[UInt8]: [UInt8]] = [:]
    /// Among several sources, the first whose contents are copied: the root (`./`) is its.
    var rootDirectory: [UInt8]?

    init() {}

    /// The contents of `sourcePath` are copied.
    init(contentsOf sourcePath: String) {
        contentsDirectory = Self.clean(Array(sourcePath.utf8))
    }

    /// `name` was named by `sourcePath` (`dir/name`).
    mutating func add(name: [UInt8], from sourcePath: String) {
        var components = Self.components(Array(sourcePath.utf8))
        if !components.isEmpty { components.removeLast() }
        parents[name] = Self.join(components)
    }

    /// The full path of `path` (relative to the transfer root).
    func fullPath(of path: [UInt8]) -> [UInt8] {
        // The root is its directory's `.`; anything else is named inside its directory.
        let directory = path.isEmpty ? contentsDirectory ?? rootDirectory
            : contentsDirectory ?? parents[Array(path.prefix { $0 != UInt8(ascii: "/") })]
        guard let directory else { return path }
        let name = path.isEmpty ? [UInt8(ascii: ".")] : path
        return directory.isEmpty ? name : directory + [UInt8(ascii: "/")] + name
    }

    static func components(_ path: [UInt8]) -> [ArraySlice<UInt8>] {
        path.split(separator: UInt8(ascii: "/")).filter { $0 != [UInt8(ascii: ".")] }
    }

    static func join(_ components: [ArraySlice<UInt8>]) -> [UInt8] {
        Array(components.joined(separator: [UInt8(ascii: "/")]))
    }

    static func clean(_ path: [UInt8]) -> [UInt8] { join(components(path)) }
}
