#if canImport(Glibc)
import Glibc
#endif

/// The order in which a delta can be applied inside the basis file itself (`--inplace`).
///
/// A copy reads a range of the file that other steps may be writing. Copies from the same offset
/// write nothing at all; every other copy becomes a node of a graph with an edge A → B when A
/// reads bytes that B overwrites, so A must run first. Nodes are taken in topological order;
/// where a cycle remains (two blocks that swapped places), its smallest copy is turned into
/// literal bytes from the new file. Literal writes come last: they read nothing. Copies are cut
/// into pieces of at most one block so a cycle costs one block of literal data, not a whole run.
public struct InPlacePlan: Sendable, Equatable {
    /// Copies to make, in order; no copy reads a byte an earlier step wrote (a copy may overlap
    /// itself: ``apply(_:to:new:)`` moves it like `memmove`).
    public private(set) var copies: [DeltaSegment] = []
    /// Literal ranges to write from the new file after all copies (the delta's literals and any
    /// copies turned into literals).
    public private(set) var literals: [DeltaSegment] = []
    /// Bytes matched at their own offset: already in place, not written.
    public private(set) var unchangedBytes = 0
    /// Bytes of copies turned into literals to break cycles.
    public private(set) var convertedBytes = 0

    /// Plans `segments` (a delta of the new file against `basis`, in target order). `basis`, when
    /// given, lets copies whose bytes already sit at their target (runs of zeros) be dropped.
    /// `basisIsSeparate`: the copies read another file holding the same bytes (a backup), so
    /// any order is safe and none needs breaking.
    public init(segments: [DeltaSegment], pieceLength: Int, basis: UnsafeRawBufferPointer? = nil, basisIsSeparate: Bool = false) {
        var nodes: [DeltaSegment] = []
        for segment in segments {
            guard let source = segment.basisOffset else {
                literals.appendMerging(segment)
                continue
            }
            var done = 0
            while done < segment.length {
                let n = min(max(1, pieceLength), segment.length - done)
                let piece = DeltaSegment.copy(at: segment.targetOffset + done, from: source + done, length: n)
                if Self.alreadyInPlace(piece, basis: basis) { unchangedBytes += n } else { nodes.append(piece) }
                done += n
            }
        }
        if basisIsSeparate { copies = nodes } else { order(nodes) }
    }

    private static func alreadyInPlace(_ piece: DeltaSegment, basis: UnsafeRawBufferPointer?) -> Bool {
        guard let source = piece.basisOffset else { return false }
        if source == piece.targetOffset { return true }
        guard let basis, let base = basis.baseAddress, piece.targetEnd <= basis.count else { return false }
        return memcmp(base + source, base + piece.targetOffset, piece.length) == 0
    }

    /// Topological order of the copy graph, breaking cycles by turning copies into literals.
    private mutating func order(_ nodes: [DeltaSegment]) {
        let n = nodes.count
        guard n > 0 else { return }
        // Nodes are in target order and their targets are disjoint: the writers of a range are
        // found by binary search. Edges in compressed rows: successors and predecessors.
        func firstWriter(endingAfter offset: Int) -> Int {
            var low = 0, high = n
            while low < high {
                let mid = (low + high) / 2
                if nodes[mid].targetEnd <= offset { low = mid + 1 } else { high = mid }
            }
            return low
        }
        var successorStart = [Int](repeating: 0, count: n + 1)
        var successors: [Int32] = []
        var predecessorCount = [Int](repeating: 0, count: n + 1)
        for a in 0..<n {
            let source = nodes[a].basisOffset!, end = source + nodes[a].length
            var b = firstWriter(endingAfter: source)
            while b < n && nodes[b].targetOffset < end {
                if b != a {
                    successors.append(Int32(b))
                    predecessorCount[b + 1] += 1
                }
                b += 1
            }
            successorStart[a + 1] = successors.count
        }
        for i in 0..<n { predecessorCount[i + 1] += predecessorCount[i] }
        let predecessorStart = predecessorCount
        var predecessors = [Int32](repeating: 0, count: successors.count)
        var fill = predecessorStart
        var indegree = [Int](repeating: 0, count: n)
        for a in 0..<n {
            for k in successorStart[a]..<successorStart[a + 1] {
                let b = Int(successors[k])
                predecessors[fill[b]] = Int32(a)
                fill[b] += 1
                indegree[b] += 1
            }
        }

        var finished = [Bool](repeating: false, count: n)
        var ready: [Int] = (0..<n).filter { indegree[$0] == 0 }.reversed()
        var remaining = n
        var scan = 0
        func complete(_ a: Int) {
            finished[a] = true
            remaining -= 1
            for k in successorStart[a]..<successorStart[a + 1] {
                let b = Int(successors[k])
                indegree[b] -= 1
                if indegree[b] == 0 && !finished[b] { ready.append(b) }
            }
        }
        var convertedPieces: [DeltaSegment] = []
        while remaining > 0 {
            while let a = ready.popLast() {
                if finished[a] { continue }
                copies.append(nodes[a])
                complete(a)
            }
            guard remaining > 0 else { break }
            // Every node left waits on another node left: walk back along unfinished
            // predecessors until a node repeats; that closes a cycle.
            while finished[scan] { scan += 1 }
            var step = [Int: Int]()
            var path: [Int] = []
            var current = scan
            while step[current] == nil {
                step[current] = path.count
                path.append(current)
                var next = -1
                for k in predecessorStart[current]..<predecessorStart[current + 1] where !finished[Int(predecessors[k])] {
                    next = Int(predecessors[k])
                    break
                }
                precondition(next >= 0, "a waiting copy has an unfinished predecessor")
                current = next
            }
            let cycle = path[step[current]!...]
            let victim = cycle.min { nodes[$0].length < nodes[$1].length }!
            convertedBytes += nodes[victim].length
            convertedPieces.append(.literal(at: nodes[victim].targetOffset, length: nodes[victim].length))
            complete(victim)
        }
        if !convertedPieces.isEmpty {
            literals = (literals + convertedPieces).sorted { $0.targetOffset < $1.targetOffset }
                .reduce(into: []) { $0.appendMerging($1) }
        }
    }

    /// ``copies`` with neighbours in the order that continue each other (same shift, adjacent
    /// ranges, taken one after the other) joined into one move: a run shifted back is done back
    /// to front and one shifted forward front to back, which is what one `memmove` of the whole
    /// run does, so the joined moves read nothing the order did not already allow.
    public var coalescedCopies: [DeltaSegment] {
        var result: [DeltaSegment] = []
        for copy in copies {
            if var last = result.last, let lastSource = last.basisOffset, let source = copy.basisOffset,
               lastSource - last.targetOffset == source - copy.targetOffset {
                let shift = source - copy.targetOffset
                if shift > 0 && last.targetEnd == copy.targetOffset {
                    last.length += copy.length
                    result[result.count - 1] = last
                    continue
                }
                if shift < 0 && copy.targetEnd == last.targetOffset {
                    result[result.count - 1] = .copy(at: copy.targetOffset, from: source, length: copy.length + last.length)
                    continue
                }
            }
            result.append(copy)
        }
        return result
    }

    /// Bytes written by copies (moved within the file).
    public var movedBytes: Int { copies.reduce(0) { $0 + $1.length } }
    /// Bytes written from the new file.
    public var literalBytes: Int { literals.reduce(0) { $0 + $1.length } }

    /// Applies the plan to `file` in memory (what the in-place writer does with the file on
    /// disk), then sizes it like `new`. For tests and as the reference of the order's meaning.
    public func apply(_ file: inout [UInt8], new: [UInt8]) {
        if file.count < new.count { file += [UInt8](repeating: 0, count: new.count - file.count) }
        file.withUnsafeMutableBytes { bytes in
            for copy in coalescedCopies {
                memmove(bytes.baseAddress! + copy.targetOffset, bytes.baseAddress! + copy.basisOffset!, copy.length)
            }
        }
        for literal in literals {
            file.replaceSubrange(literal.targetOffset..<literal.targetEnd, with: new[literal.targetOffset..<literal.targetEnd])
        }
        file.removeSubrange(new.count...)
    }
}
