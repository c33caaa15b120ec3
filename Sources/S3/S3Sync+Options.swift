import SyncCore

/// Which sync options an S3 sync honours. Until the one engine (issue 14) gives every pair of
/// backends the local engine's options, an option the S3 path would ignore is refused by name
/// before anything is touched: a backup that is not made, or a `--files-from` list that uploads
/// the whole tree instead, must never pass in silence.
public enum S3OptionSupport {
    /// Which way the bytes go.
    public enum Direction: Sendable, Equatable {
        case upload, download, copy

        /// From the two path arguments (`s3://` on one side or both); nil for local to local.
        public init?(source: String, destination: String) {
            switch (source.hasPrefix("s3://"), destination.hasPrefix("s3://")) {
            case (false, true): self = .upload
            case (true, false): self = .download
            case (true, true): self = .copy
            case (false, false): return nil
            }
        }
    }

    /// The options in `options` that a sync in `direction` cannot honour yet, by the names
    /// rsync's users type, in the order of rsync's man page.
    public static func unsupported(in options: SyncOptions, direction: Direction) -> [String] {
        var names: [String] = []
        if options.backup || options.backupDirectory != nil || options.backupSuffix != nil {
            names.append(options.backupDirectory != nil ? "--backup-dir" : "-b/--backup")
        }
        if options.linkDest.count > 0 { names.append("--link-dest") }
        if options.compareDest.count > 0 { names.append("--compare-dest") }
        if options.filesFrom != nil { names.append("--files-from") }
        if options.chmod != nil { names.append("--chmod") }
        if options.inPlace { names.append("--inplace") }
        if options.partialDirectory != nil { names.append("--partial-dir") }
        if !options.wholeFile { names.append("--no-whole-file") }
        if options.removeSourceFiles { names.append("--remove-source-files") }
        if options.bandwidthLimit != nil { names.append("--bwlimit") }
        return names
    }

    /// The one line that refuses `names` (exit 1, rsync's usage error).
    public static func refusal(_ names: [String]) -> String {
        "\(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") not supported yet when S3 is the source "
            + "or destination; refused rather than ignored"
    }

    /// A warning for an option honoured differently, or nil: S3 has no hard links, so with `-H`
    /// an upload stores each name of a linked file as an object of its own.
    public static func warning(for options: SyncOptions, direction: Direction) -> String? {
        guard options.hardLinks && direction == .upload else { return nil }
        return "-H/--hard-links: S3 has no hard links; each name of a hard-linked file is stored as its own object"
    }
}
