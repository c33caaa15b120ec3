/// rsync's reading of a path argument: which ones name another host.
///
/// rsync treats an argument as remote when a colon comes before any slash (`host:path`,
/// `user@host:path`, `host::module`) or when it starts with `rsync://`. `s3://` URLs are ours.
/// A local name holding a colon is written with a slash before it (`./host:data`, `/x/a:b`).
enum RemotePath {
    static func isRemote(_ argument: String) -> Bool {
        if argument.hasPrefix("s3://") { return false }
        if argument.hasPrefix("rsync://") { return true }
        guard let colon = argument.firstIndex(of: ":") else { return false }
        return !argument[..<colon].contains("/")
    }
}
