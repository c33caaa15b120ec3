import SyncCore

/// The lock-step merge of a source and a destination flat tree (both sorted by path), and
/// rsync's decisions about each pair: what to transfer, which directories to make, what
/// `--delete` removes. Pure: no I/O, except through `contentsDiffer` for `-c`.
public struct FlatTreePlanner: Sendable {
    /// Which way the data goes; it decides how times are compared.
    public enum Direction: Sendable, Equatable {
        /// Local → S3: an object older than the file is stale.
        case upload
        /// S3 → local: a local copy older than the object (by its ctime) is stale.
        case download
        /// S3 → S3: a destination object older than the source object is stale.
        case copy
    }

    public enum Action: Sendable, Equatable {
        /// Send `source`; `destination` is what it replaces, if anything.
        case transfer(source: FlatEntry, destination: FlatEntry?, change: ItemizedChange)
        /// A directory the destination lacks (made locally; a `dir/` key in S3 when wanted).
        case makeDirectory(FlatEntry)
        /// `--delete`: the destination has it, the source does not.
        case delete(FlatEntry)
        /// A file left alone, and why (only when ``reportsSkips``: `-vv`, boto-rsync's `-v`).
        case skip(FlatEntry, SkipReason)
        /// A name that is a file on one side and a directory on the other (or both in S3) where
        /// syncing it would flip it each run or lose one of them: it and everything below it
        /// are left alone on both sides, and reported.
        case conflict(FlatEntry, Conflict)
    }

    /// What stands at a conflicting name `d` (S3 can hold an object `d` and keys under `d/`
    /// at once; a local tree cannot).
    public enum Conflict: Sendable, Equatable {
        /// Download: the source holds the object `d` and keys under `d/`.
        case objectAndPrefix
        /// Upload with `--delete`: a local directory `d`, an object `d` in the destination.
        case directoryAndObject
        /// Upload with `--delete`: a local file `d`, keys under `d/` in the destination.
        case fileAndPrefix
    }

    public enum SkipReason: Sendable, Equatable {
        /// Same size (and time, or checksum): rsync's "is uptodate".
        case upToDate
        /// `--ignore-existing` (boto-rsync's `-w`) or `-u` with a newer destination.
        case exists
    }

    public let direction: Direction
    public let options: SyncOptions
    /// Directories become `dir/` keys in S3 (boto-rsync's habit).
    public let directoryKeys: Bool
    /// Emit ``Action/skip(_:_:)`` for files left alone.
    public let reportsSkips: Bool

    public init(direction: Direction, options: SyncOptions, directoryKeys: Bool = false, reportsSkips: Bool = false) {
        self.direction = direction
        self.options = options
        self.directoryKeys = directoryKeys
        self.reportsSkips = reportsSkips
    }

    /// The actions: the conflicts first, then the rest in path order (deletions included where
    /// they occur: callers run them after the transfers, deepest first).
    public func plan(source allSource: [FlatEntry], destination allDestination: [FlatEntry],
                     contentsDiffer: (FlatEntry, FlatEntry) -> Bool = { _, _ in true }) -> [Action] {
        var actions: [Action] = []
        let conflicts = conflicts(source: allSource, destination: allDestination)
        var source = allSource, destination = allDestination
        if !conflicts.isEmpty {
            let names = Set(conflicts.map(\.0.path))
            source.removeAll { Self.isAt(names, $0) }
            destination.removeAll { Self.isAt(names, $0) }
            actions = conflicts.map { .conflict($0.0, $0.1) }
        }
        var i = 0, j = 0
        while i < source.count || j < destination.count {
            let order = i == source.count ? 1 : j == destination.count ? -1 : compareNames(source[i].path, destination[j].path)
            if order < 0 {
                if let action = created(source[i]) { actions.append(action) }
                i += 1
            } else if order > 0 {
                if let action = extraneous(destination[j]) { actions.append(action) }
                j += 1
            } else {
                if let action = compared(source[i], destination[j], contentsDiffer: contentsDiffer) { actions.append(action) }
                i += 1
                j += 1
            }
        }
        return actions
    }

    /// The file entries at names that cannot be synced (``Conflict``), in path order.
    func conflicts(source: [FlatEntry], destination: [FlatEntry]) -> [(FlatEntry, Conflict)] {
        // Directories are far fewer than files: only their names are hashed up front.
        func directoryNames(_ entries: [FlatEntry]) -> Set<[UInt8]> { Set(entries.lazy.filter(\.isDirectory).map(\.name)) }
        func files(_ entries: [FlatEntry], in names: Set<[UInt8]>) -> [FlatEntry] {
            names.isEmpty ? [] : entries.filter { $0.kind == .file && names.contains($0.path) }
        }
        switch direction {
        case .download:
            return files(source, in: directoryNames(source)).map { ($0, .objectAndPrefix) }
        case .upload where options.delete != nil:
            let found = files(destination, in: directoryNames(source)).map { ($0, Conflict.directoryAndObject) }
                + files(source, in: directoryNames(destination)).map { ($0, Conflict.fileAndPrefix) }
            return found.sorted { compareNames($0.0.path, $1.0.path) < 0 }
        case .upload, .copy:
            return []
        }
    }

    /// Whether `entry` is the file at one of `names` or lies below one.
    static func isAt(_ names: Set<[UInt8]>, _ entry: FlatEntry) -> Bool {
        let path = entry.name
        if names.contains(path) { return true }
        for i in path.indices where path[i] == UInt8(ascii: "/") && names.contains(Array(path[..<i])) { return true }
        return false
    }

    private var itemizeUpdate: ItemizedChange.Update { direction == .upload ? .sent : .received }

    /// Only the source has it.
    func created(_ entry: FlatEntry) -> Action? {
        if options.existingOnly { return nil }
        switch entry.kind {
        case .directory:
            switch direction {
            case .download: return .makeDirectory(entry)
            case .upload: return directoryKeys ? .makeDirectory(entry) : nil
            case .copy: return entry.implicit && !directoryKeys ? nil : .makeDirectory(entry)
            }
        case .file:
            return .transfer(source: entry, destination: nil, change: ItemizedChange(update: itemizeUpdate, kind: .regular, isNew: true))
        }
    }

    /// Only the destination has it.
    func extraneous(_ entry: FlatEntry) -> Action? {
        guard options.delete != nil, !entry.implicit, !FlatTree.isProtectedFromDeletion(entry, options: options) else { return nil }
        return .delete(entry)
    }

    /// What an S3 side's times mean: an object's LastModified is when it was written, and a
    /// downloaded copy is judged by its ctime.
    public var timeRule: QuickCheck.TimeRule { direction == .download ? .downloadedCopy : .writtenAfterSource }

    /// Both have it: the engine's quick check, with the time rule of the direction.
    func compared(_ source: FlatEntry, _ destination: FlatEntry,
                  contentsDiffer: (FlatEntry, FlatEntry) -> Bool) -> Action? {
        guard source.kind == .file else {
            // A directory both sides have; a directory key is made where S3 only implies it.
            if direction != .download && destination.implicit && !source.implicit && directoryKeys { return .makeDirectory(source) }
            return nil
        }
        let skip = { (reason: SkipReason) -> Action? in reportsSkips ? .skip(source, reason) : nil }
        let from = Self.version(source), to = Self.version(destination)
        var change = ItemizedChange(update: itemizeUpdate, kind: .regular)
        switch QuickCheck.decide(source: from, destination: to, rule: timeRule, options: options) {
        case .skip:
            return skip(.exists)
        case .upToDate:
            return skip(.upToDate)
        case .compareChecksums:
            guard contentsDiffer(source, destination) else { return skip(.upToDate) }
            change.checksum = true
        case .transfer:
            // The size differs, or -I, or the times say stale.
            if source.size != destination.size { change.size = true } else { change.time = true }
        }
        if !options.sizeOnly && !options.checksum && QuickCheck.isStale(from, to, rule: timeRule, window: options.modifyWindow) {
            change.time = true
        }
        return .transfer(source: source, destination: destination, change: change)
    }

    static func version(_ entry: FlatEntry) -> QuickCheck.Version {
        QuickCheck.Version(size: entry.size, mtime: entry.mtime, changeTime: entry.changeTime)
    }
}
