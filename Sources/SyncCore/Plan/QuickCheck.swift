import SyncSystem
/// rsync's "quick check" and the other ways to decide whether a regular file is transferred.
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

    public static func decide(source: FileStatus, destination: FileStatus, options: SyncOptions) -> Decision {
        if options.ignoreExisting { return .skip }
        if options.update && destination.mtime.seconds > source.mtime.seconds + options.modifyWindow { return .skip }
        // rsync's order: size, then -c, then --size-only, then -I, then the mtime.
        if source.size != destination.size { return .transfer }
        if options.checksum { return .compareChecksums }
        if options.sizeOnly { return .upToDate }
        if options.ignoreTimes { return .transfer }
        return sameModificationTime(source.mtime, destination.mtime, window: options.modifyWindow) ? .upToDate : .transfer
    }

    /// rsync compares whole seconds (within `--modify-window`).
    @inlinable
    public static func sameModificationTime(_ a: FileTime, _ b: FileTime, window: Int64) -> Bool {
        let d = a.seconds - b.seconds
        return d.magnitude <= UInt64(max(0, window))
    }
}
