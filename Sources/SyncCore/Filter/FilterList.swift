/// An ordered list of filter rules plus the size limits: the first matching rule wins.
public struct FilterList: Sendable {
    public private(set) var rules: [FilterRule] = []
    /// `--min-size`/`--max-size`: regular files outside the range are not transferred.
    public var minimumSize: Int64?
    public var maximumSize: Int64?

    public init(rules: [FilterRule] = []) { self.rules = rules }

    public var isEmpty: Bool { rules.isEmpty }

    public mutating func append(_ rule: FilterRule) { rules.append(rule) }

    /// The `!` rule: forget every rule so far.
    public mutating func clear() { rules.removeAll() }

    /// Whether the sender hides `path` (excluded from the transfer).
    public func excludesOnSender(_ path: [UInt8], isDirectory: Bool) -> Bool {
        if rules.isEmpty { return false }
        for rule in rules where rule.appliesToSender && rule.matches(path, isDirectory: isDirectory) {
            return rule.action == .exclude
        }
        return false
    }

    /// Whether the receiver protects `path` from deletion.
    public func protectsOnReceiver(_ path: [UInt8], isDirectory: Bool) -> Bool {
        if rules.isEmpty { return false }
        for rule in rules where rule.appliesToReceiver && rule.matches(path, isDirectory: isDirectory) {
            return rule.action == .exclude
        }
        return false
    }

    /// Whether a regular file of `size` bytes is outside `--min-size`/`--max-size`.
    public func skipsSize(_ size: Int64) -> Bool {
        if let minimumSize, size < minimumSize { return true }
        if let maximumSize, size > maximumSize { return true }
        return false
    }
}
