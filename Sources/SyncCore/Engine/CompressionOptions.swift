/// rsync's compression options (`-z`, `--compress-choice`, `--compress-level`,
/// `--compress-threads`, `--skip-compress`).
///
/// rsync compresses only what crosses a network: a local sync accepts these and sends nothing
/// compressed, as rsync does (a script's `rsync -avz SRC/ DST/` is a local copy). What they
/// hold is what a transfer over the remote protocol negotiates from.
public struct CompressionOptions: Sendable, Equatable {
    /// rsync's compress list, in its order of preference.
    public enum Algorithm: String, CaseIterable, Sendable {
        case zstd, lz4, zlibx, zlib, none
    }

    /// `-z` given (and not undone by a later `--no-compress`); `-zz` counts twice.
    public var requested = 0
    /// `--compress-choice`/`--zc`; nil leaves the choice to the negotiation.
    public var choice: Algorithm?
    /// `--compress-level`/`--zl`; nil is the algorithm's default.
    public var level: Int?
    /// `--compress-threads`/`--zt`.
    public var threads: Int?
    /// `--skip-compress`: the suffixes of files sent uncompressed (rsync's own list when nil).
    public var skippedSuffixes: [String]?

    public init() {}

    /// Whether data would be compressed on a transfer that can (a choice of `none` is off).
    public var isEnabled: Bool { (requested > 0 || choice != nil) && choice != Algorithm.none }

    /// The algorithm called `name`, as rsync reads it (any case; one name, not a list).
    public static func algorithm(named name: String) -> Algorithm? {
        Algorithm(rawValue: name.lowercased())
    }

    /// A number as rsync's option parser reads one: an empty value is 0, anything else must be
    /// a whole decimal number (a sign allowed); nil when it is not.
    public static func number(_ text: String) -> Int? {
        text.isEmpty ? 0 : Int(text)
    }

    /// `--skip-compress`'s LIST: suffixes separated by `/`, empty ones dropped.
    public static func suffixes(_ list: String) -> [String] {
        list.split(separator: "/").map(String.init)
    }
}
