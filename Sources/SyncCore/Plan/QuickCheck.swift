import SyncSystem

/// rsync's "quick check" and the other ways to decide whether a regular file is transferred:
/// one decision for every pair of backends, which differ only in what a destination's times
/// mean (``TimeRule``).
public enum QuickCheck {
    public enum Decision: Sendable, Equatable {
        /// The file must be sent.
        case transfer
        /// Contents are taken as equal; attributes may still need fixing.
        case upToDate
        /// Contents must be compared by checksum (`-c` with equal sizes).
        case compareChecksums
        /// Left alone entirely (`--ignore-existing`, `-u` with a newer destination).
        case skip
    }

    /// What a destination's times say about whether it holds the source's current version.
    public enum TimeRule: Sendable, Equatable {
        /// The destination was given the source's mtime when it was written (a local file, as
        /// rsync compares them): stale unless the two mtimes agree within the window.
        case sameModificationTime
        /// The destination's mtime is when it was written (an S3 object's LastModified, which
        /// cannot be set): stale when the source changed after it.
        case writtenAfterSource
        /// The destination is a local copy of an object, given the object's time: stale when
        /// the object was uploaded after the copy's inode last changed (its ctime, which
        /// restoring the object's time does not set back), or when the copy was modified after
        /// the upload.
        case downloadedCopy
    }

    /// The size and times of one side's version of a file: all the quick check reads.
    public struct Version: Sendable, Equatable {
        public var size: Int64
        public var mtime: FileTime
        /// When the inode last changed; only ``TimeRule/downloadedCopy`` reads it.
        public var changeTime: FileTime

        @inlinable
        public init(size: Int64, mtime: FileTime, changeTime: FileTime = FileTime(seconds: 0)) {
            self.size = size
            self.mtime = mtime
            self.changeTime = changeTime
        }

        @inlinable
        public init(_ status: FileStatus) {
            self.init(size: status.size, mtime: status.mtime, changeTime: status.changeTime)
        }
    }

    /// Two local files (``TimeRule/sameModificationTime``).
    @inlinable
    public static func decide(source: FileStatus, destination: FileStatus, options: SyncOptions) -> Decision {
        decide(source: Version(source), destination: Version(destination), rule: .sameModificationTime, options: options)
    }

    /// rsync's order of checks: `--ignore-existing`, `-u`, the size, `-c`, `--size-only`, `-I`,
    /// then the times by `rule`.
    @inlinable
    public static func decide(source: Version, destination: Version, rule: TimeRule, options: SyncOptions) -> Decision {
        if options.ignoreExisting { return .skip }
        if options.update && destinationIsNewer(source, destination, window: options.modifyWindow) { return .skip }
        if source.size != destination.size { return .transfer }
        if options.checksum { return .compareChecksums }
        if options.sizeOnly { return .upToDate }
        if options.ignoreTimes { return .transfer }
        return isStale(source, destination, rule: rule, window: options.modifyWindow) ? .transfer : .upToDate
    }

    /// Whether the destination's times say it is older than the source's version.
    @inlinable
    public static func isStale(_ source: Version, _ destination: Version, rule: TimeRule, window: Int64) -> Bool {
        let window = max(0, window)
        switch rule {
        case .sameModificationTime:
            return !sameModificationTime(source.mtime, destination.mtime, window: window)
        case .writtenAfterSource:
            return source.mtime.seconds > destination.mtime.seconds + window
        case .downloadedCopy:
            return source.mtime.seconds > destination.changeTime.seconds + window
                || destination.mtime.seconds > source.mtime.seconds + window
        }
    }

    /// `-u`: the destination was modified after the source, by more than the window (equal
    /// times are not newer: the size and the rest of the check decide, as rsync's man page says).
    @inlinable
    public static func destinationIsNewer(_ source: Version, _ destination: Version, window: Int64) -> Bool {
        destination.mtime.seconds > source.mtime.seconds + max(0, window)
    }

    /// rsync compares whole seconds (within `--modify-window`).
    @inlinable
    public static func sameModificationTime(_ a: FileTime, _ b: FileTime, window: Int64) -> Bool {
        let d = a.seconds - b.seconds
        return d.magnitude <= UInt64(max(0, window))
    }
}

extension QuickCheck.TimeRule {
    /// The rule for a pair of backends: mtimes are compared only where the destination keeps
    /// the one it is given; a store that only records when it wrote (S3) is judged by that, and
    /// a local copy of such a store's object by its ctime.
    public init(source: BackendCapabilities, destination: BackendCapabilities) {
        if !destination.contains(.settableTimes) {
            self = .writtenAfterSource
        } else if !source.contains(.settableTimes) {
            self = .downloadedCopy
        } else {
            self = .sameModificationTime
        }
    }
}
