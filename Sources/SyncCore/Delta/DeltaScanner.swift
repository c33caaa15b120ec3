/// The matcher's state machine over a range of the new file: at each position either a basis
/// block matches (emit the literal bytes before it and a copy, jump a whole block) or the weak
/// sum rolls one byte on.
///
/// Every decision depends on the position alone, except which of several equal blocks a window
/// copies (the one after the last match is preferred, so runs of repeated content become one
/// long copy rather than many copies of the first such block). So two scanners that reach the
/// same position go on identically, byte for byte when the basis has no repeated blocks: that is
/// what lets ``DeltaMatcher`` scan chunks of a file in parallel and join them where they meet.
struct DeltaScanner {
    let signature: Signature
    let index: BlockIndex
    let new: UnsafeRawBufferPointer
    let blockLength: Int
    /// Where this scanner started; positions before it were never visited.
    let start: Int
    /// The next position to look at.
    private(set) var position: Int
    /// Start of the literal bytes not yet emitted (`literalStart ... position`).
    private(set) var literalStart: Int
    private(set) var segments: [DeltaSegment] = []
    let sources: DeltaMatcher.SourcePreference
    /// The block after the last one matched: preferred among equal candidates.
    private(set) var wantedBlock = -1

    init(signature: Signature, index: BlockIndex, new: UnsafeRawBufferPointer, start: Int,
         sources: DeltaMatcher.SourcePreference = .any) {
        self.sources = sources
        self.signature = signature
        self.index = index
        self.new = new
        self.blockLength = signature.blockLength
        self.start = start
        self.position = start
        self.literalStart = start
    }

    /// Whether a whole block still fits at the position (the main loop's domain).
    var canAdvance: Bool { !index.isEmpty && position + blockLength <= new.count }

    /// Scans while the position is below `stop` (and a block fits).
    ///
    /// In batches: first the weak sums of up to 256 consecutive windows (a tight roll, nothing
    /// else in the loop), then the filter test for each of them (independent loads the CPU
    /// overlaps). Only a filter hit leaves the fast path; a match ends the batch.
    mutating func run(until stop: Int) {
        guard canAdvance, position < stop, let base = new.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let size = new.count
        let length = blockLength
        let lastWindow = size - length
        let batch = 256
        let filter = index.filter
        var sum = RollingChecksum(UnsafeRawBufferPointer(start: base + position, count: length))
        let values = UnsafeMutablePointer<UInt32>.allocate(capacity: batch)
        defer { values.deallocate() }
        var position = self.position
        while position < stop && position <= lastWindow {
            let count = min(batch, stop - position, lastWindow + 1 - position)
            for i in 0..<count {
                values[i] = sum.value
                let p = position + i
                if p < lastWindow { sum.roll(out: base[p], in: base[p + length]) }
            }
            var matchedAt = -1
            for i in 0..<count {
                let f = Int(BlockIndex.mix(values[i])) & (BlockIndex.filterBits - 1)
                guard filter[f >> 6] & (1 << UInt64(f & 63)) != 0 else { continue }
                if let block = matchingBlock(values[i], at: position + i, base: base) {
                    takeMatch(block, at: position + i)
                    matchedAt = position + i
                    break
                }
            }
            if matchedAt < 0 {
                position += count
                continue
            }
            position = matchedAt + length
            // Inside an unchanged run the next window is the next block: its strong sum alone
            // decides (one pass over the data instead of a weak sum and then a strong one).
            // An overwrite inside one block leaves the block after it in place: try that before
            // rolling through the changed block byte by byte (what rolling would find anyway,
            // unless the changed block happens to contain another basis block).
            while position < stop && position <= lastWindow {
                if let block = continuation(at: position, base: base) {
                    takeMatch(block, at: position)
                    position += length
                } else if position + length < stop && position + length <= lastWindow,
                          let block = continuation(at: position + length, base: base, skipping: 1) {
                    takeMatch(block, at: position + length)
                    position += 2 * length
                } else {
                    break
                }
            }
            if position <= lastWindow {
                sum = RollingChecksum(UnsafeRawBufferPointer(start: base + position, count: length))
            }
        }
        self.position = position
    }

    /// The block that continues the last match at `position` (the same-offset block first, then
    /// the next one), when the window's strong sum equals it; nil sends the scan back to rolling.
    @inline(__always)
    private func continuation(at position: Int, base: UnsafePointer<UInt8>, skipping skipped: Int = 0) -> Int? {
        let wanted = wantedBlock + skipped
        let aligned = position % blockLength == 0 ? position / blockLength : -1
        let next = wantedBlock >= 0 && (sources != .forwardOnly || wanted * blockLength >= position) ? wanted : -1
        var strong: (UInt64, UInt64)?
        func matches(_ block: Int) -> Bool {
            guard block >= 0, block < signature.blockCount, signature.length(ofBlock: block) == blockLength else { return false }
            if strong == nil { strong = Signature.strongSum(UnsafeRawBufferPointer(start: base + position, count: blockLength)) }
            return signature.strongMatches(block, strong!)
        }
        if matches(aligned) { return aligned }
        return matches(next) ? next : nil
    }

    @inline(__always)
    private mutating func takeMatch(_ block: Int, at position: Int) {
        emitLiteral(upTo: position)
        segments.appendMerging(.copy(at: position, from: block * blockLength, length: blockLength))
        wantedBlock = block + 1
        literalStart = position + blockLength
    }

    /// Scans on until the position is one `other` visited (or a block no longer fits, or the
    /// position passes `other`'s): where a parallel chunk's scan can take over.
    mutating func runUntilVisited(by other: DeltaScanner) {
        scan(until: other.position) { other.visited($0) }
    }

    /// The one-window-at-a-time loop, checking `isDone` at each position (short stretches only).
    private mutating func scan(until stop: Int, unless isDone: (Int) -> Bool) {
        guard canAdvance, position < stop, let base = new.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let size = new.count
        let length = blockLength
        var position = self.position
        var sum = RollingChecksum(UnsafeRawBufferPointer(start: base + position, count: length))
        while position < stop && position + length <= size && !isDone(position) {
            let value = sum.value
            if index.mayContain(value), let block = matchingBlock(value, at: position, base: base) {
                takeMatch(block, at: position)
                position += length
                if position + length <= size {
                    sum = RollingChecksum(UnsafeRawBufferPointer(start: base + position, count: length))
                }
                continue
            }
            if position + length < size { sum.roll(out: base[position], in: base[position + length]) }
            position += 1
        }
        self.position = position
    }

    /// The block to copy for the window at `position` whose weak sum is `weak`, if any: the
    /// block at the same offset when it matches (free for in-place updates), else the block after
    /// the last match (so copies merge and shift uniformly, as rsync's `want_i`), else the first
    /// matching block in basis order.
    @inline(__always)
    private func matchingBlock(_ weak: UInt32, at position: Int, base: UnsafePointer<UInt8>) -> Int? {
        // The strong sum costs a pass over the block: only when some weak sum really equals.
        var strong: (UInt64, UInt64)?
        func strongMatches(_ block: Int) -> Bool {
            if strong == nil { strong = Signature.strongSum(UnsafeRawBufferPointer(start: base + position, count: blockLength)) }
            return signature.strongMatches(block, strong!)
        }
        if position % blockLength == 0 {
            let aligned = position / blockLength
            if aligned < signature.blockCount, signature.length(ofBlock: aligned) == blockLength,
               signature.weak[aligned] == weak, strongMatches(aligned) {
                return aligned
            }
        }
        let firstForward = (position + blockLength - 1) / blockLength
        if wantedBlock >= 0, wantedBlock < signature.blockCount, signature.length(ofBlock: wantedBlock) == blockLength,
           sources != .forwardOnly || wantedBlock >= firstForward,
           signature.weak[wantedBlock] == weak, strongMatches(wantedBlock) {
            return wantedBlock
        }
        if sources != .any,
           let block = index.lastBlock(withWeak: weak, notBelow: firstForward, where: { strongMatches($0) }) {
            return block
        }
        if sources == .forwardOnly { return nil }
        return index.firstBlock(withWeak: weak) { strongMatches($0) }
    }

    private mutating func emitLiteral(upTo end: Int) {
        if end > literalStart { segments.appendMerging(.literal(at: literalStart, length: end - literalStart)) }
    }

    /// Whether a scan reaching `p` would find this scanner already went the same way from there:
    /// `p` is a position this scanner visited (every byte of a literal stretch, the start of every
    /// block of a copy) or the one it would visit next.
    func visited(_ p: Int) -> Bool {
        guard p >= start, p <= position else { return false }
        if p >= literalStart { return true }
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].targetEnd <= p { low = mid + 1 } else { high = mid }
        }
        let segment = segments[low]
        return segment.isLiteral || (p - segment.targetOffset) % blockLength == 0
    }

    /// Continues with `other`'s work from `p`, a position both visited: this scanner's pending
    /// literal runs up to `p`, then `other`'s segments from `p` on, and `other`'s state.
    mutating func adopt(_ other: DeltaScanner, from p: Int) {
        precondition(other.visited(p) && p >= position)
        if p >= other.literalStart {
            position = other.position
            if other.wantedBlock >= 0 { wantedBlock = other.wantedBlock }
            return
        }
        emitLiteral(upTo: p)
        var first = other.segments.firstIndex { $0.targetEnd > p }!
        var head = other.segments[first]
        let skip = p - head.targetOffset
        head.targetOffset += skip
        head.length -= skip
        if let offset = head.basisOffset { head.basisOffset = offset + skip }
        segments.appendMerging(head)
        first += 1
        segments.append(contentsOf: other.segments[first...])
        literalStart = other.literalStart
        position = other.position
        wantedBlock = other.wantedBlock
    }

    /// Ends the scan: the basis's short last block can only match the very end of the new file;
    /// everything not matched is literal.
    mutating func finish() -> [DeltaSegment] {
        let size = new.count
        let lastIndex = signature.blockCount - 1
        if lastIndex >= 0 {
            let lastLength = signature.length(ofBlock: lastIndex)
            if lastLength < blockLength, size - literalStart >= lastLength {
                let tail = UnsafeRawBufferPointer(rebasing: new[(size - lastLength)..<size])
                if RollingChecksum(tail).value == signature.weak[lastIndex],
                   signature.strongMatches(lastIndex, Signature.strongSum(tail)) {
                    emitLiteral(upTo: size - lastLength)
                    segments.appendMerging(.copy(at: size - lastLength, from: lastIndex * blockLength, length: lastLength))
                    literalStart = size
                }
            }
        }
        emitLiteral(upTo: size)
        position = size
        literalStart = size
        return segments
    }
}
