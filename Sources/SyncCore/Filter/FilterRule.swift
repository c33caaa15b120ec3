/// One rsync filter rule: include or exclude a pattern, on the sending side, the receiving
/// side (deletion protection), or both.
public struct FilterRule: Sendable, Equatable {
    public enum Action: Sendable, Equatable { case include, exclude }

    public var action: Action
    /// The pattern without its anchoring `/`, trailing `/` or `/***` suffix.
    public var pattern: GlobPattern
    /// A leading `/`: matches from the transfer root only.
    public var anchored: Bool
    /// A trailing `/`: matches directories only.
    public var directoryOnly: Bool
    /// A `/***` suffix: matches the directory and everything inside it.
    public var matchesContents: Bool
    /// Hides/shows files on the sending side.
    public var appliesToSender: Bool
    /// Protects/risks files on the receiving side (for `--delete`).
    public var appliesToReceiver: Bool

    private let slashCount: Int
    private let hasDoubleStar: Bool
    private let doubleStarPrefix: Bool

    public init(action: Action, pattern: String, sender: Bool = true, receiver: Bool = true) {
        self.init(action: action, patternBytes: Array(pattern.utf8), sender: sender, receiver: receiver)
    }

    public init(action: Action, patternBytes raw: [UInt8], sender: Bool = true, receiver: Bool = true) {
        var bytes = raw
        self.action = action
        self.appliesToSender = sender
        self.appliesToReceiver = receiver
        self.anchored = bytes.first == UInt8(ascii: "/")
        if anchored { bytes.removeFirst() }
        var contents = false
        if bytes.count >= 4 && bytes.suffix(4).elementsEqual("/***".utf8) {
            contents = true
            bytes.removeLast(4)
        } else if bytes == Array("***".utf8) {
            bytes = Array("**".utf8)
        }
        var dirOnly = false
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") {
            dirOnly = true
            bytes.removeLast()
        }
        self.directoryOnly = dirOnly && !contents
        self.matchesContents = contents
        self.pattern = GlobPattern(bytes)
        self.slashCount = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
        self.hasDoubleStar = bytes.windows2Contain(UInt8(ascii: "*"), UInt8(ascii: "*")) || contents
        self.doubleStarPrefix = bytes.starts(with: "**".utf8)
    }

    /// Whether the rule matches `path` (relative to the transfer root, no leading slash).
    public func matches(_ path: [UInt8], isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        if matchesContents {
            // "dir/***": the directory itself (not a file of that name), or anything below it.
            if isDirectory && matchPlain(path) { return true }
            var i = path.count - 1
            while i > 0 {
                if path[i] == UInt8(ascii: "/") && matchPlain(Array(path[..<i])) { return true }
                i -= 1
            }
            return false
        }
        return matchPlain(path)
    }

    private func matchPlain(_ path: [UInt8]) -> Bool {
        let slash = UInt8(ascii: "/")
        if !anchored && slashCount == 0 && !hasDoubleStar {
            // No slash and no "**": match the last component only.
            let start = (path.lastIndex(of: slash) ?? -1) + 1
            return pattern.matches(path[start...].withContiguousArray())
        }
        if anchored { return pattern.matches(path) }
        // A leading "**" may also match nothing: rsync matches it against "/" + the path.
        if doubleStarPrefix { return pattern.matches([slash] + path) }
        if !hasDoubleStar {
            // An infix slash: match the last slashCount+1 components.
            var seen = 0
            var i = path.count - 1
            while i >= 0 {
                if path[i] == slash {
                    seen += 1
                    if seen == slashCount + 1 { return pattern.matches(path[(i + 1)...].withContiguousArray()) }
                }
                i -= 1
            }
            return pattern.matches(path)
        }
        // "**" inside: try at the start and after every slash.
        if pattern.matches(path) { return true }
        for i in path.indices where path[i] == slash {
            if pattern.matches(path[(i + 1)...].withContiguousArray()) { return true }
        }
        return false
    }
}

extension Array where Element == UInt8 {
    func windows2Contain(_ a: UInt8, _ b: UInt8) -> Bool {
        guard count >= 2 else { return false }
        for i in 0..<(count - 1) where self[i] == a && self[i + 1] == b { return true }
        return false
    }
}

extension ArraySlice where Element == UInt8 {
    /// A zero-based array of the slice, as the matcher wants integer indices from 0.
    @inline(__always)
    func withContiguousArray() -> [UInt8] { Array(self) }
}
