import SyncSystem
/// Merges the sorted source and destination listings of one directory in lock step (a merge
/// join) and says, per name, what the sync has to consider. Pure: no I/O, tested directly.
public struct DirectoryPlan: Sendable, Equatable {
    /// A source entry to create or update; `destination` is the index of the same name in the
    /// destination listing, if any.
    public struct Item: Sendable, Equatable {
        public var source: Int
        public var destination: Int?
    }

    public var items: [Item] = []
    /// Destination indices to delete (only when deletion is allowed and not protected).
    public var deletions: [Int] = []
    /// Source indices hidden by a filter rule (for stats and `-vv`).
    public var excluded: [Int] = []
}

public enum DirectoryPlanner {
    /// - Parameters:
    ///   - directory: the directory's path relative to the transfer root, for filter matching.
    ///   - deleteAllowed: `--delete` is on and applies here.
    public static func plan(directory: [UInt8], source: [FileEntry], destination: [FileEntry],
                            filters: FilterList, deleteAllowed: Bool) -> DirectoryPlan {
        var plan = DirectoryPlan()
        plan.items.reserveCapacity(source.count)
        var i = 0, j = 0
        let filtering = !filters.isEmpty
        func included(_ index: Int) -> Bool {
            guard filtering else { return true }
            let e = source[index]
            if filters.excludesOnSender(DisplayPath.join(directory, e.name), isDirectory: e.kind == .directory) {
                plan.excluded.append(index)
                return false
            }
            return true
        }
        func consider(deleting index: Int) {
            guard deleteAllowed else { return }
            let e = destination[index]
            if filtering && filters.protectsOnReceiver(DisplayPath.join(directory, e.name), isDirectory: e.kind == .directory) { return }
            plan.deletions.append(index)
        }
        while i < source.count || j < destination.count {
            let order: Int
            if i == source.count { order = 1 } else if j == destination.count { order = -1 } else {
                order = compareNames(source[i].name, destination[j].name)
            }
            if order < 0 {
                if included(i) { plan.items.append(.init(source: i, destination: nil)) }
                i += 1
            } else if order > 0 {
                consider(deleting: j)
                j += 1
            } else {
                if included(i) {
                    plan.items.append(.init(source: i, destination: j))
                } else {
                    consider(deleting: j)
                }
                i += 1
                j += 1
            }
        }
        return plan
    }
}
