import SyncSystem

/// rsync's decision for each name of one directory once the listings are merged
/// (``ListingMerge``): the sender's filters leave a source entry out, `--delete` removes what
/// only the destination has unless a receiver rule protects it. Pure: no I/O, tested directly.
public struct DirectoryRules: Sendable {
    /// The directory's path relative to the transfer root, for filter matching.
    public let directory: [UInt8]
    public let filters: FilterList
    /// `--delete` is on and applies here.
    public let deleteAllowed: Bool

    public init(directory: [UInt8], filters: FilterList, deleteAllowed: Bool) {
        self.directory = directory
        self.filters = filters
        self.deleteAllowed = deleteAllowed
    }

    /// What one merged pair comes to.
    public struct Decision<Entry: MergeKeyed>: Sendable, Equatable {
        /// A source entry to create or update, with what the destination has at its name.
        public var send: (source: Entry, destination: Entry?)?
        /// A source entry a filter rule hides (for stats and `-vv`).
        public var excluded: Entry?
        /// A destination entry `--delete` removes.
        public var deletion: Entry?

        public static func == (a: Self, b: Self) -> Bool {
            a.send?.source == b.send?.source && a.send?.destination == b.send?.destination
                && a.excluded == b.excluded && a.deletion == b.deletion
        }
    }

    public func decide<Entry>(_ pair: KeyOrderMerge<Entry>.Pair) -> Decision<Entry> {
        var decision = Decision<Entry>()
        if let s = pair.source {
            if sends(s.name, isDirectory: s.isDirectory) {
                decision.send = (s, pair.destination)
                return decision
            }
            decision.excluded = s
        }
        // The source has nothing here (or hides it): what the destination has is extraneous.
        if let d = pair.destination, deletes(d.name, isDirectory: d.isDirectory) { decision.deletion = d }
        return decision
    }

    /// Whether the sender's filters let this source name through.
    @inline(__always)
    func sends(_ name: [UInt8], isDirectory: Bool) -> Bool {
        filters.isEmpty || !filters.excludesOnSender(DisplayPath.join(directory, name), isDirectory: isDirectory)
    }

    /// Whether `--delete` removes this destination name when the source has none (or hides it).
    @inline(__always)
    func deletes(_ name: [UInt8], isDirectory: Bool) -> Bool {
        deleteAllowed && (filters.isEmpty || !filters.protectsOnReceiver(DisplayPath.join(directory, name), isDirectory: isDirectory))
    }
}

/// One directory's merge and decisions, all at once (listings in memory), as positions in
/// the two listings: the walk reads each entry where it lies, so none is copied on the way
/// (copying ~160-byte entries into plan items and out again was a tenth of a no-op's CPU, perf).
public struct DirectoryPlan: Sendable, Equatable {
    /// A source entry to create or update, and the destination's entry of that name, if any
    /// (of another kind, possibly: the engine then replaces it).
    public struct Item: Sendable, Equatable {
        /// Its index in the source listing.
        public var source: Int
        /// The index in the destination listing of what is at its name.
        public var destination: Int?

        public init(source: Int, destination: Int?) {
            self.source = source
            self.destination = destination
        }
    }

    /// In key order.
    public var items: [Item] = []
    /// Destination entries to delete (only when deletion is allowed and not protected), in key order.
    public var deletions: [Int] = []
    /// Source entries hidden by a filter rule.
    public var excluded: [Int] = []
    /// Source names that are a file and a directory at once (see ``ListingMerge/Step/conflict(_:)``).
    public var conflicts: [Int] = []

    public init(items: [Item] = [], deletions: [Int] = [], excluded: [Int] = [], conflicts: [Int] = []) {
        self.items = items
        self.deletions = deletions
        self.excluded = excluded
        self.conflicts = conflicts
    }
}

public enum DirectoryPlanner {
    /// Merges two listings in key order and applies `rules` to every name.
    public static func plan(source: [FileEntry], destination: [FileEntry], rules: DirectoryRules,
                            matchesAcrossKinds: Bool = true, checksSourceConflicts: Bool = false) -> DirectoryPlan {
        var plan = DirectoryPlan()
        plan.items.reserveCapacity(source.count)
        for meeting in ListingJoin.meetings(source: source, destination: destination, matchesAcrossKinds: matchesAcrossKinds,
                                            checksSourceConflicts: checksSourceConflicts) {
            let d = meeting.destinationIndex
            if let s = meeting.sourceIndex {
                if meeting.isConflict {
                    plan.conflicts.append(s)
                    continue
                }
                if rules.sends(source[s].name, isDirectory: source[s].isDirectory) {
                    plan.items.append(DirectoryPlan.Item(source: s, destination: d))
                    continue
                }
                plan.excluded.append(s)
            }
            if let d, rules.deletes(destination[d].name, isDirectory: destination[d].isDirectory) {
                plan.deletions.append(d)
            }
        }
        return plan
    }

    /// ``plan(source:destination:rules:matchesAcrossKinds:checksSourceConflicts:)`` with the rules spelled out;
    /// the listings must be in key order.
    public static func plan(directory: [UInt8], source: [FileEntry], destination: [FileEntry],
                            filters: FilterList, deleteAllowed: Bool) -> DirectoryPlan {
        plan(source: source, destination: destination,
             rules: DirectoryRules(directory: directory, filters: filters, deleteAllowed: deleteAllowed))
    }
}

/// rsync's order of the names in one directory (its file list's): the non-directories by
/// name, then the directories by name. Deletions go in the reverse of it, which decides what
/// `--max-delete` spares.
public func rsyncOrder(_ a: FileEntry, _ b: FileEntry) -> Bool {
    let aDirectory = a.kind == .directory, bDirectory = b.kind == .directory
    if aDirectory != bDirectory { return bDirectory }
    return compareNames(a.name, b.name) < 0
}
