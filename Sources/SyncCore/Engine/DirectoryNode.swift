import Synchronization
import SyncSystem

/// A directory of the transfer while it is in flight: its open source and destination
/// directories, and a count of work not yet done inside it.
///
/// The count starts at one (the walker's own planning) and grows by one per queued file
/// transfer and per child directory. When it drops to zero, nothing inside the destination
/// directory will change any more, so its own attributes (mtime above all) are set, late
/// deletions run, its descriptors close, and the parent is told. Memory and descriptors are
/// thus bounded by the directories in flight, not by the tree.
final class DirectoryNode: @unchecked Sendable {
    /// Path relative to the transfer root ("" for the root).
    let relativePath: [UInt8]
    let parent: DirectoryNode?
    /// Name in the parent (source side and destination side may differ only at the root).
    let sourceName: [UInt8]
    let destinationName: [UInt8]
    /// The source directory's entry (from the parent's listing), for attributes.
    let sourceEntry: FileEntry?
    /// Whether `--delete` may remove destination names that the source lacks.
    let deleteAllowed: Bool
    /// Whether the destination directory is being created by this run.
    let isNew: Bool
    /// Attributes to put on the destination directory when everything inside it is done.
    var finalAttributes = AttributeSet()

    var source: DirectoryRef?
    /// The source directory this one is listed in (the parent's, or at the root the SRC
    /// argument's own parent); released with the node.
    var sourceParent: DirectoryRef?
    var destination: DirectoryRef?
    /// The root node's entries come from several source directories (several SRC args), in key order.
    var rootSources: [(DirectoryRef, FileEntry)]? {
        didSet {
            rootSourceDirectories = rootSources.map { Dictionary($0.map { ($0.1.name, $0.0) }, uniquingKeysWith: { first, _ in first }) }
        }
    }
    /// The root's source directory of each of its entries, by name.
    private(set) var rootSourceDirectories: [[UInt8]: DirectoryRef]?

    /// `--files-from` (and `-x` at a mount point): only these names are listed here.
    var filesFrom: FilesFromTree?
    /// `-x`: the device of the transfer root.
    var rootDevice: UInt64?
    /// A single file copied to a new name at the root (`swiftsync a.txt b.txt`).
    var rootRename: (from: [UInt8], to: [UInt8])?

    /// The destination directory already has the wanted mtime (an unchanged directory in a
    /// resync): unless something inside is created, removed or renamed, no time is set.
    var mtimeAlreadyRight = false
    private let changed = Atomic<Bool>(false)

    private let pending = Atomic<Int>(1)

    init(relativePath: [UInt8], parent: DirectoryNode?, sourceName: [UInt8], destinationName: [UInt8],
         sourceEntry: FileEntry?, deleteAllowed: Bool, isNew: Bool) {
        self.relativePath = relativePath
        self.parent = parent
        self.sourceName = sourceName
        self.destinationName = destinationName
        self.sourceEntry = sourceEntry
        self.deleteAllowed = deleteAllowed
        self.isNew = isNew
    }

    /// Something was created, removed or renamed in the destination directory (its mtime moved).
    func markContentsChanged() { changed.store(true, ordering: .relaxed) }

    var contentsChanged: Bool { changed.load(ordering: .relaxed) }

    /// One more piece of work inside this directory.
    func retain() { pending.add(1, ordering: .relaxed) }

    /// One piece of work done; returns `true` for the caller that brought the count to zero,
    /// which must then finalize the directory.
    func release() -> Bool {
        pending.subtract(1, ordering: .acquiringAndReleasing).newValue == 0
    }

    /// Drops the descriptors once the directory is finished.
    func closeHandles() {
        source = nil
        sourceParent = nil
        destination = nil
        rootSources = nil
        rootSourceDirectories = nil
    }

    /// The destination name for source entry `name` (differs only for a renamed root file).
    func destinationName(for name: [UInt8]) -> [UInt8] {
        if let rename = rootRename, rename.from == name { return rename.to }
        return name
    }

    /// The relative path of `name` inside this directory.
    func path(of name: [UInt8]) -> [UInt8] { DisplayPath.join(relativePath, name) }
}

/// The paths of `--files-from` as a tree of names: a directory on the way to a listed path is
/// created (with its source attributes) but not walked unless it is listed itself and `-r`
/// was given explicitly.
public final class FilesFromTree: @unchecked Sendable {
    public var children: [[UInt8]: FilesFromTree] = [:]
    public var isListed = false
    /// Listed with a trailing slash (`dir/`): its direct contents are included too.
    public var includesContents = false

    public init() {}

    /// Builds the tree from relative paths (`./`, leading `/` and empty components ignored).
    public init(paths: [[UInt8]]) {
        for path in paths {
            var node = self
            let components = path.split(separator: UInt8(ascii: "/")).filter { !$0.elementsEqual([UInt8(ascii: ".")]) }
            guard !components.isEmpty else {
                includesContents = true
                continue
            }
            for component in components {
                let key = Array(component)
                if let next = node.children[key] { node = next } else {
                    let next = FilesFromTree()
                    node.children[key] = next
                    node = next
                }
            }
            node.isListed = true
            if path.last == UInt8(ascii: "/") || path.suffix(2).elementsEqual("/.".utf8) { node.includesContents = true }
        }
    }
}
