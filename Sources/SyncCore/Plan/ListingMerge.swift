import SyncSystem

/// The lock-step merge of one directory's source and destination listings (a merge join),
/// both in key order: which source entry meets which destination entry. A state machine with
/// no I/O: ``next()`` says what it needs (the next entry of a side, or a look-up by name) or
/// what it found, and the driver feeds it, so one merge serves listings in memory and listings
/// streamed from S3 page by page.
///
/// Names are matched whatever the kinds: a file `N` and a directory `N` meet (the engine then
/// replaces one by the other, as rsync does). In key order they sort apart (`N`, maybe
/// `N.txt`, then `N/`), so when a non-directory has no counterpart at its place the other
/// side is asked for a directory of that name. Pairs come at the source entry's place; a
/// destination file waits for the source directory of its name.
///
/// Generic over what it merges, which needs only a name and a kind class: listings streamed
/// entry by entry are merged as they come (``ListingMerge``); listings in memory, where a name
/// changes kind between them, as small keys that point into them (``ListingJoin``, which joins
/// the rest by index).
public struct KeyOrderMerge<Entry: MergeKeyed>: Sendable {
    /// What met: a source entry, a destination entry, or both (the same name).
    public struct Pair: Sendable, Equatable {
        public var source: Entry?
        public var destination: Entry?

        public init(source: Entry?, destination: Entry?) {
            self.source = source
            self.destination = destination
        }
    }

    public enum Step: Sendable, Equatable {
        /// Feed ``read(source:)``.
        case readSource
        /// Feed ``read(destination:)``.
        case readDestination
        /// Feed ``found(_:)`` with the destination's directory of this name, if any.
        case lookUpDestinationDirectory([UInt8])
        /// Feed ``found(_:)`` with the source's directory of this name, if any.
        case lookUpSourceDirectory([UInt8])
        case pair(Pair)
        /// The source holds a file and a directory of this name at once (an S3 object `N` and
        /// keys under `N/`), which the destination cannot: both are left alone on both sides.
        case conflict(Entry)
        case finished
    }

    private enum Head: Sendable, Equatable {
        case unread
        case entry(Entry)
        case end
    }

    private enum Question: Sendable {
        case destinationDirectoryFor(Entry)
        case sourceDirectoryFor(Entry)
        case sourceConflictFor(Entry)
    }

    /// Whether a file and a directory of one name meet (the destination cannot hold both, so
    /// one replaces the other). Where it can (S3), they are different keys and never meet.
    let matchesAcrossKinds: Bool
    /// Whether a source file may have a directory of its own name beside it (the source can
    /// hold both, the destination cannot): each source file is then checked first.
    let checksSourceConflicts: Bool
    private var source = Head.unread
    private var destination = Head.unread
    private var question: Question?
    private var answer: Entry??
    /// Directories already paired (or left alone) before their place: skipped when reached.
    private var skipSourceDirectories: Set<[UInt8]> = []
    private var skipDestinationDirectories: Set<[UInt8]> = []
    /// Destination non-directories waiting for the source directory of their name.
    private var waiting: [[UInt8]: Entry] = [:]
    /// The source file whose conflict check is done.
    private var conflictChecked: [UInt8]?

    public init(matchesAcrossKinds: Bool = true, checksSourceConflicts: Bool = false) {
        self.matchesAcrossKinds = matchesAcrossKinds
        self.checksSourceConflicts = checksSourceConflicts
    }

    public mutating func read(source entry: Entry?) {
        source = entry.map { .entry($0) } ?? .end
    }

    public mutating func read(destination entry: Entry?) {
        destination = entry.map { .entry($0) } ?? .end
    }

    /// The answer to the last look-up.
    public mutating func found(_ entry: Entry?) {
        answer = .some(entry)
    }

    public mutating func next() -> Step {
        while true {
            if let asked = question {
                guard let result = answer else { return step(asking: asked) }
                question = nil
                answer = nil
                if let step = resolve(asked, result) { return step }
                continue
            }
            guard source != .unread else { return .readSource }
            guard destination != .unread else { return .readDestination }
            if case .entry(let s) = source, s.isDirectory, skipSourceDirectories.remove(s.name) != nil {
                source = .unread
                continue
            }
            if case .entry(let d) = destination, d.isDirectory, skipDestinationDirectories.remove(d.name) != nil {
                destination = .unread
                continue
            }
            let order: Int
            switch (source, destination) {
            case (.entry(let s), .entry(let d)): order = compareKeys(s.name, isDirectory: s.isDirectory, d.name, isDirectory: d.isDirectory)
            case (.entry, _): order = -1
            case (_, .entry): order = 1
            default:
                // A destination file whose source directory never came (the source changed).
                if let (_, left) = waiting.popFirst() { return .pair(Pair(source: nil, destination: left)) }
                return .finished
            }
            if order <= 0, case .entry(let s) = source {
                if let step = sourceFirst(s, sameName: order == 0) { return step }
            } else if case .entry(let d) = destination {
                if let step = destinationFirst(d) { return step }
            }
        }
    }

    private func step(asking question: Question) -> Step {
        switch question {
        case .destinationDirectoryFor(let s): .lookUpDestinationDirectory(s.name)
        case .sourceDirectoryFor(let d): .lookUpSourceDirectory(d.name)
        case .sourceConflictFor(let s): .lookUpSourceDirectory(s.name)
        }
    }

    /// The source entry `s` is next (alone, or with the destination's of the same key).
    private mutating func sourceFirst(_ s: Entry, sameName: Bool) -> Step? {
        if !s.isDirectory && checksSourceConflicts && conflictChecked != s.name {
            question = .sourceConflictFor(s)
            return .lookUpSourceDirectory(s.name)
        }
        conflictChecked = nil
        if sameName, case .entry(let d) = destination {
            source = .unread
            destination = .unread
            return .pair(Pair(source: s, destination: d))
        }
        if s.isDirectory {
            source = .unread
            return .pair(Pair(source: s, destination: waiting.removeValue(forKey: s.name)))
        }
        guard matchesAcrossKinds else {
            source = .unread
            return .pair(Pair(source: s, destination: nil))
        }
        // A destination directory of this name sorts later: at the head, further on, or none.
        switch lookAhead(destination, for: s.name) {
        case .absent:
            source = .unread
            return .pair(Pair(source: s, destination: nil))
        case .atHead(let d):
            source = .unread
            destination = .unread
            return .pair(Pair(source: s, destination: d))
        case .ask:
            question = .destinationDirectoryFor(s)
            return .lookUpDestinationDirectory(s.name)
        }
    }

    /// The destination entry `d` is next, with no source entry of its key.
    private mutating func destinationFirst(_ d: Entry) -> Step? {
        if d.isDirectory || !matchesAcrossKinds {
            destination = .unread
            return .pair(Pair(source: nil, destination: d))
        }
        switch lookAhead(source, for: d.name) {
        case .absent:
            destination = .unread
            return .pair(Pair(source: nil, destination: d))
        case .atHead:
            // The source directory is next: this file meets it there.
            waiting[d.name] = d
            destination = .unread
            return nil
        case .ask:
            question = .sourceDirectoryFor(d)
            return .lookUpSourceDirectory(d.name)
        }
    }

    private mutating func resolve(_ asked: Question, _ result: Entry?) -> Step? {
        switch asked {
        case .destinationDirectoryFor(let s):
            source = .unread
            if result != nil { skipDestinationDirectories.insert(s.name) }
            return .pair(Pair(source: s, destination: result))
        case .sourceDirectoryFor(let d):
            destination = .unread
            if result != nil {
                waiting[d.name] = d
                return nil
            }
            return .pair(Pair(source: nil, destination: d))
        case .sourceConflictFor(let s):
            guard result != nil else {
                conflictChecked = s.name
                return nil
            }
            source = .unread
            skipSourceDirectories.insert(s.name)
            skipDestinationDirectories.insert(s.name)
            if case .entry(let d) = destination, d.name == s.name, !d.isDirectory { destination = .unread }
            return .conflict(s)
        }
    }

    private enum LookAhead {
        case absent
        case atHead(Entry)
        case ask
    }

    /// Where the directory `name` can be on a side whose next entry is `head`.
    private func lookAhead(_ head: Head, for name: [UInt8]) -> LookAhead {
        guard case .entry(let next) = head else { return .absent }
        let order = compareKeys(next.name, isDirectory: next.isDirectory, name, isDirectory: true)
        if order > 0 { return .absent }
        if order == 0 { return .atHead(next) }
        return .ask
    }
}

/// What ``KeyOrderMerge`` needs of an entry.
public protocol MergeKeyed: Sendable, Equatable {
    var name: [UInt8] { get }
    var isDirectory: Bool { get }
}

extension FileEntry: MergeKeyed {
    public var isDirectory: Bool { kind == .directory }
}

/// The merge of listings read entry by entry.
public typealias ListingMerge = KeyOrderMerge<FileEntry>

extension KeyOrderMerge {
    /// What the merge gives the engine.
    public enum Outcome: Sendable, Equatable {
        case pair(Pair)
        case conflict(Entry)
    }
}

extension KeyOrderMerge where Entry == FileEntry {
    /// Runs the merge over two listings, handing each outcome to `body` in order (which may
    /// walk a subdirectory inline before the merge reads on).
    public static func run(source: any DirectoryListing, destination: any DirectoryListing, matchesAcrossKinds: Bool,
                           checksSourceConflicts: Bool, _ body: (Outcome) async throws -> Void) async throws {
        var merge = ListingMerge(matchesAcrossKinds: matchesAcrossKinds, checksSourceConflicts: checksSourceConflicts)
        while true {
            switch merge.next() {
            case .readSource: merge.read(source: try await source.next())
            case .readDestination: merge.read(destination: try await destination.next())
            case .lookUpDestinationDirectory(let name): merge.found(try await destination.directory(named: name))
            case .lookUpSourceDirectory(let name): merge.found(try await source.directory(named: name))
            case .pair(let pair): try await body(.pair(pair))
            case .conflict(let entry): try await body(.conflict(entry))
            case .finished: return
            }
        }
    }

    /// The merge of two listings in memory (each in key order).
    public static func outcomes(source: [FileEntry], destination: [FileEntry], matchesAcrossKinds: Bool = true,
                                checksSourceConflicts: Bool = false) -> [Outcome] {
        KeyOrderMerge<ListingPosition>.outcomes(source: source, destination: destination, matchesAcrossKinds: matchesAcrossKinds,
                                                checksSourceConflicts: checksSourceConflicts).map { outcome in
            switch outcome {
            case .pair(let pair):
                .pair(Pair(source: pair.source.map { source[$0.index] }, destination: pair.destination.map { destination[$0.index] }))
            case .conflict(let key):
                .conflict(source[key.index])
            }
        }
    }
}

/// An entry of a listing in memory, as the merge sees it: its key and where it is.
public struct ListingPosition: MergeKeyed {
    public let name: [UInt8]
    public let isDirectory: Bool
    /// Its index in the listing.
    public let index: Int

    /// The keys of a listing in key order.
    static func keys(of entries: [FileEntry]) -> [ListingPosition] {
        entries.indices.map { ListingPosition(name: entries[$0].name, isDirectory: entries[$0].isDirectory, index: $0) }
    }
}

extension KeyOrderMerge where Entry == ListingPosition {
    /// The merge of two listings in memory (each in key order), by position: what met is
    /// where it is in `source` and `destination`.
    public static func outcomes(source: [FileEntry], destination: [FileEntry], matchesAcrossKinds: Bool = true,
                                checksSourceConflicts: Bool = false) -> [Outcome] {
        let sourceKeys = ListingPosition.keys(of: source), destinationKeys = ListingPosition.keys(of: destination)
        var nextSource = 0, nextDestination = 0
        var merge = Self(matchesAcrossKinds: matchesAcrossKinds, checksSourceConflicts: checksSourceConflicts)
        var result: [Outcome] = []
        result.reserveCapacity(Swift.max(source.count, destination.count))
        while true {
            switch merge.next() {
            case .readSource:
                merge.read(source: nextSource < sourceKeys.count ? sourceKeys[nextSource] : nil)
                nextSource += 1
            case .readDestination:
                merge.read(destination: nextDestination < destinationKeys.count ? destinationKeys[nextDestination] : nil)
                nextDestination += 1
            case .lookUpDestinationDirectory(let name): merge.found(destinationKeys.lookUpDirectory(name))
            case .lookUpSourceDirectory(let name): merge.found(sourceKeys.lookUpDirectory(name))
            case .pair(let pair): result.append(.pair(pair))
            case .conflict(let entry): result.append(.conflict(entry))
            case .finished: return result
            }
        }
    }
}

extension RandomAccessCollection where Element: MergeKeyed, Index == Int {
    /// The directory `name` at or after `start` in a listing in key order: a binary search,
    /// since it sorts after the file `name`, with other names maybe between.
    func lookUpDirectory(_ name: [UInt8], from start: Int? = nil) -> Element? {
        var low = start ?? startIndex, high = endIndex
        while low < high {
            let mid = (low + high) / 2
            let order = compareKeys(self[mid].name, isDirectory: self[mid].isDirectory, name, isDirectory: true)
            if order == 0 { return self[mid] }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}
