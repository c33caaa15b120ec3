/// How many snapshots each level keeps, lowest level first (`--retain daily=7 --retain
/// weekly=4 --retain monthly=12`), as rsnapshot's `retain` lines: the order of the levels is
/// the order they were given, and only the lowest level takes new snapshots; a higher one
/// is fed with the oldest snapshot of the level below it.
public struct RetentionPolicy: Sendable, Equatable {
    public struct Level: Sendable, Equatable {
        public let name: String
        public let count: Int

        public init(name: String, count: Int) {
            self.name = name
            self.count = count
        }
    }

    /// Lowest (most frequent) first; never empty.
    public let levels: [Level]

    /// Checks the levels: at least one, names of letters, digits, `_` and `-` starting with a
    /// letter, each once, counts from 1 to 9999.
    public init(levels: [Level]) throws(SnapshotError) {
        guard !levels.isEmpty else { throw .invalidRetain("give at least one --retain LEVEL=COUNT (e.g. --retain daily=7)") }
        var seen: Set<String> = []
        for level in levels {
            guard SnapshotName.isValidLevel(level.name) else {
                throw .invalidRetain("invalid level name \"\(level.name)\" (letters, digits, _ and -, starting with a letter)")
            }
            guard seen.insert(level.name).inserted else { throw .invalidRetain("level \"\(level.name)\" is given twice") }
            guard (1...9999).contains(level.count) else {
                throw .invalidRetain("--retain \(level.name)=\(level.count): the count must be between 1 and 9999")
            }
        }
        self.levels = levels
    }

    /// Parses `--retain` values, `LEVEL=COUNT` each.
    public init(parsing specs: [String]) throws(SnapshotError) {
        var levels: [Level] = []
        for spec in specs {
            guard let eq = spec.firstIndex(of: "="), let count = Int(spec[spec.index(after: eq)...]) else {
                throw .invalidRetain("invalid --retain \"\(spec)\" (LEVEL=COUNT, e.g. daily=7)")
            }
            levels.append(Level(name: String(spec[..<eq]), count: count))
        }
        try self.init(levels: levels)
    }

    /// The level new snapshots go to.
    public var lowest: Level { levels[0] }

    /// The position of a level (0 = lowest), nil for a name not in the policy.
    public func position(of name: String) -> Int? { levels.firstIndex { $0.name == name } }

    /// Positions of the `--level` names to promote, highest first (the order rsnapshot's
    /// cron lines run them in); the lowest level needs no promotion and is left out.
    public func promotions(_ names: [String]) throws(SnapshotError) -> [Int] {
        var positions: Set<Int> = []
        for name in names {
            guard let position = position(of: name) else {
                throw .invalidRetain("--level \(name) is not one of the --retain levels (\(levels.map(\.name).joined(separator: ", ")))")
            }
            if position > 0 { positions.insert(position) }
        }
        return positions.sorted(by: >)
    }
}

/// A snapshot directory's name: `LEVEL.N` (`daily.0` is the newest daily).
public struct SnapshotName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let level: String
    public let index: Int

    public init(level: String, index: Int) {
        self.level = level
        self.index = index
    }

    /// Parses `LEVEL.N` (N without leading zeros); nil for anything else.
    public init?(_ text: String) {
        guard let dot = text.lastIndex(of: "."), case let level = String(text[..<dot]), Self.isValidLevel(level) else { return nil }
        let digits = text[text.index(after: dot)...]
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits == "0" || digits.first != "0", let index = Int(digits) else { return nil }
        self.init(level: level, index: index)
    }

    public var description: String { "\(level).\(index)" }

    public static func < (a: SnapshotName, b: SnapshotName) -> Bool { (a.level, a.index) < (b.level, b.index) }

    static func isValidLevel(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter, name.unicodeScalars.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
