/// Which of a run's options a pair of backends can honour, decided from their capabilities
/// before anything is touched: an option one side cannot honour is refused by name (rsync's
/// usage error, exit 1), one honoured differently is said once as a warning. Never silence:
/// a backup tool that quietly drops `--inplace` or `-H` does something else than was asked.
public struct OptionSupport: Sendable, Equatable {
    /// One side of the run, as the check sees it.
    public struct Side: Sendable {
        public var name: String
        public var capabilities: BackendCapabilities

        public init(name: String, capabilities: BackendCapabilities) {
            self.name = name
            self.capabilities = capabilities
        }

        public init(_ backend: any Backend) {
            self.init(name: backend.name, capabilities: backend.capabilities)
        }
    }

    /// An option that cannot be honoured, and why.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        /// As rsync's users type it.
        public let option: String
        public let backend: String
        public let side: String
        public let reason: String

        /// The one line that refuses it.
        public var description: String {
            "\(option) is not supported with \(backend) as the \(side) (\(reason)); refused rather than ignored"
        }
    }

    public private(set) var refusals: [Refusal] = []
    public private(set) var warnings: [String] = []

    /// Checks `options` against the two sides, in the order of rsync's man page.
    public init(options: SyncOptions, source: Side, destination: Side) {
        let remote = source.capabilities.contains(.remote) ? (source, "source")
            : destination.capabilities.contains(.remote) ? (destination, "destination") : nil
        if options.relative && source.capabilities.contains(.remote) {
            refusals.append(Refusal(option: "-R/--relative", backend: source.name, side: "source",
                                    reason: "kept paths and /./ anchors are read from local directories"))
        }
        if !options.wholeFile, let (remote, side) = remote {
            refusals.append(Refusal(option: "--no-whole-file", backend: remote.name, side: side,
                                    reason: "the delta transfer reads both versions of a file locally"))
        }
        if options.hardLinks && source.capabilities.contains(.hardLinks) && !destination.capabilities.contains(.hardLinks) {
            warnings.append("-H/--hard-links: \(destination.name) has no hard links; each name of a hard-linked file is stored as its own object")
        }
        if options.executability && !options.preservePermissions && !destination.capabilities.contains(.posixAttributes) {
            refusals.append(Refusal(option: "-E/--executability", backend: destination.name, side: "destination",
                                    reason: "it keeps no permission bits whose execute bits could follow the source"))
        }
        let rewrites = destination.capabilities.contains(.inPlaceWrites)
        if options.inPlace && !rewrites {
            refusals.append(Refusal(option: "--inplace", backend: destination.name, side: "destination",
                                    reason: "an object cannot be rewritten in place"))
        }
        if destination.capabilities.contains(.remote) {
            // Backups and alternates live with the destination: on a remote one, a local
            // absolute path would name a place there that was never meant.
            let placed = [("--backup-dir", options.backupDirectory.map { [$0] } ?? [])]
                + options.alternateDestinations.map { ("--\($0.kind.rawValue)-dest", $0.paths) }
            for (option, paths) in placed {
                for path in paths where path.hasPrefix("/") {
                    refusals.append(Refusal(option: "\(option)=\(path)", backend: destination.name, side: "destination",
                                            reason: "a local path; give a URL of the destination's kind, or a path relative to it"))
                }
            }
        }
        if options.partialDirectory != nil && !rewrites {
            refusals.append(Refusal(option: "--partial-dir", backend: destination.name, side: "destination",
                                    reason: "a partial object cannot be kept to resume from"))
        } else if options.partial && !rewrites {
            warnings.append("--partial: \(destination.name) keeps no partial object; an interrupted transfer starts again")
        }
    }

    /// Whether the run may start.
    public var isSupported: Bool { refusals.isEmpty }
}
