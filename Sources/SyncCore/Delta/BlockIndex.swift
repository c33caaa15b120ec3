/// The lookup side of the matcher: which basis blocks have a given weak sum.
///
/// Most offsets of a changed region match no block, so the first test is one bit of a 2^20-bit
/// filter (128 KiB, stays in L2). Only on a hit are the candidates read: block indices sorted by
/// a 16-bit bucket of the weak sum (ascending index within a bucket), found through a table of
/// bucket starts. Flat arrays, no per-lookup allocation or hashing of a dictionary.
struct BlockIndex: Sendable {
    static let filterBits = 1 << 20
    static let bucketBits = 16

    /// One bit per filter bucket of weak sums present in the basis.
    private(set) var filter: [UInt64]
    /// `bucketStart[b] ..< bucketStart[b + 1]` are the entries of bucket `b`.
    private(set) var bucketStart: [Int32]
    private(set) var entryWeak: [UInt32]
    private(set) var entryBlock: [Int32]

    @inline(__always)
    static func mix(_ weak: UInt32) -> UInt32 { (weak ^ (weak >> 13)) &* 0x9E37_79B1 }

    /// Indexes blocks `0 ..< blockCount` of `weak` (the full-length blocks of a signature).
    init(weak: [UInt32], blockCount: Int) {
        filter = [UInt64](repeating: 0, count: Self.filterBits / 64)
        let buckets = 1 << Self.bucketBits
        var counts = [Int32](repeating: 0, count: buckets + 1)
        for i in 0..<blockCount {
            let m = Self.mix(weak[i])
            let f = Int(m) & (Self.filterBits - 1)
            filter[f >> 6] |= 1 << UInt64(f & 63)
            counts[Int(m >> UInt32(32 - Self.bucketBits)) + 1] += 1
        }
        for b in 0..<buckets { counts[b + 1] += counts[b] }
        bucketStart = counts
        var next = counts
        entryWeak = [UInt32](repeating: 0, count: blockCount)
        entryBlock = [Int32](repeating: 0, count: blockCount)
        // Filling in block order keeps each bucket in ascending block order.
        for i in 0..<blockCount {
            let b = Int(Self.mix(weak[i]) >> UInt32(32 - Self.bucketBits))
            let slot = Int(next[b])
            entryWeak[slot] = weak[i]
            entryBlock[slot] = Int32(i)
            next[b] += 1
        }
    }

    var isEmpty: Bool { entryWeak.isEmpty }

    /// Whether some block may have weak sum `weak` (no false negatives).
    @inline(__always)
    func mayContain(_ weak: UInt32) -> Bool {
        let f = Int(Self.mix(weak)) & (Self.filterBits - 1)
        return filter[f >> 6] & (1 << UInt64(f & 63)) != 0
    }

    /// Calls `body` with each block whose weak sum is `weak`, in ascending block order, until it
    /// returns true; returns that block or nil.
    @inline(__always)
    func firstBlock(withWeak weak: UInt32, where body: (Int) -> Bool) -> Int? {
        let b = Int(Self.mix(weak) >> UInt32(32 - Self.bucketBits))
        var slot = Int(bucketStart[b])
        let end = Int(bucketStart[b + 1])
        while slot < end {
            if entryWeak[slot] == weak, body(Int(entryBlock[slot])) { return Int(entryBlock[slot]) }
            slot += 1
        }
        return nil
    }

    /// Like ``firstBlock(withWeak:where:)`` but from the highest block down, stopping below `lowest`.
    @inline(__always)
    func lastBlock(withWeak weak: UInt32, notBelow lowest: Int, where body: (Int) -> Bool) -> Int? {
        let b = Int(Self.mix(weak) >> UInt32(32 - Self.bucketBits))
        let start = Int(bucketStart[b])
        var slot = Int(bucketStart[b + 1]) - 1
        while slot >= start && Int(entryBlock[slot]) >= lowest {
            if entryWeak[slot] == weak, body(Int(entryBlock[slot])) { return Int(entryBlock[slot]) }
            slot -= 1
        }
        return nil
    }
}
