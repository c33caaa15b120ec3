import SyncSystem

/// The merge of one directory's two listings in memory (a local walk's), by index.
///
/// It gives what ``KeyOrderMerge`` gives, faster: almost every directory is a plain merge join
/// (each key meets the same key or nothing), which is walked here with two indices and no copy
/// of any entry or name. Only where a name is a file on one side and a directory on the other,
/// or the source may hold both (``KeyOrderMerge/checksSourceConflicts``), does the order of
/// meetings need the state machine; the join then starts over with it. The state machine's
/// bookkeeping per entry (keys copied, sets consulted, outcomes built) was most of a 20,000-file
/// no-op's planning time (perf, 2026-12-08).
public enum ListingJoin {
    /// What met, as indices into the two listings (`-1`: nothing on that side), in the merge's
    /// order; or a source name that is both a file and a directory (`conflict`).
    public struct Meeting: Sendable, Equatable {
        public var source: Int32
        public var destination: Int32
        public var isConflict: Bool

        public init(source: Int?, destination: Int?, isConflict: Bool = false) {
            self.source = Int32(source ?? -1)
            self.destination = Int32(destination ?? -1)
            self.isConflict = isConflict
        }

        public var sourceIndex: Int? { source < 0 ? nil : Int(source) }
        public var destinationIndex: Int? { destination < 0 ? nil : Int(destination) }
    }

    /// The meetings of `source` and `destination` (each in key order).
    public static func meetings(source: [FileEntry], destination: [FileEntry], matchesAcrossKinds: Bool = true,
                                checksSourceConflicts: Bool = false) -> [Meeting] {
        if !checksSourceConflicts, let plain = plainJoin(source: source, destination: destination, matchesAcrossKinds: matchesAcrossKinds) {
            return plain
        }
        return stateMachineMeetings(source: source, destination: destination, matchesAcrossKinds: matchesAcrossKinds,
                                    checksSourceConflicts: checksSourceConflicts)
    }

    /// The same meetings from ``KeyOrderMerge`` (what the plain join must agree with).
    static func stateMachineMeetings(source: [FileEntry], destination: [FileEntry], matchesAcrossKinds: Bool,
                                     checksSourceConflicts: Bool) -> [Meeting] {
        let outcomes = KeyOrderMerge<ListingPosition>.outcomes(source: source, destination: destination,
                                                               matchesAcrossKinds: matchesAcrossKinds,
                                                               checksSourceConflicts: checksSourceConflicts)
        var meetings: [Meeting] = []
        meetings.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case .pair(let pair):
                let s = pair.source.map { $0.index }, d = pair.destination.map { $0.index }
                meetings.append(Meeting(source: s, destination: d))
            case .conflict(let key):
                meetings.append(Meeting(source: key.index, destination: nil, isConflict: true))
            }
        }
        return meetings
    }

    /// The merge join, or nil when a one-sided non-directory has a directory of its name on the
    /// other side (a meeting across kinds, which comes out of key order).
    static func plainJoin(source: [FileEntry], destination: [FileEntry], matchesAcrossKinds: Bool) -> [Meeting]? {
        source.withUnsafeBufferPointer { source in
            destination.withUnsafeBufferPointer { destination in
                plainJoin(source: source, destination: destination, matchesAcrossKinds: matchesAcrossKinds)
            }
        }
    }

    // Over buffers: reading a name out of an array element retained and released it.
    private static func plainJoin(source: UnsafeBufferPointer<FileEntry>, destination: UnsafeBufferPointer<FileEntry>,
                                  matchesAcrossKinds: Bool) -> [Meeting]? {
        var meetings: [Meeting] = []
        meetings.reserveCapacity(Swift.max(source.count, destination.count))
        var i = 0, j = 0
        while i < source.count || j < destination.count {
            let order: Int
            if i < source.count && j < destination.count {
                order = compareKeys(source[i].name, isDirectory: source[i].isDirectory, destination[j].name,
                                    isDirectory: destination[j].isDirectory)
            } else {
                order = i < source.count ? -1 : 1
            }
            if order == 0 {
                meetings.append(Meeting(source: i, destination: j))
                i += 1
                j += 1
            } else if order < 0 {
                if matchesAcrossKinds && !source[i].isDirectory && destination.lookUpDirectory(source[i].name, from: j) != nil { return nil }
                meetings.append(Meeting(source: i, destination: nil))
                i += 1
            } else {
                if matchesAcrossKinds && !destination[j].isDirectory && source.lookUpDirectory(destination[j].name, from: i) != nil { return nil }
                meetings.append(Meeting(source: nil, destination: j))
                j += 1
            }
        }
        return meetings
    }
}
