import Dispatch
import SyncSystem


/// Finds the blocks of a basis (known by its ``Signature``) in a new file and produces the
/// delta: a copy for every block found (adjacent copies merged), literal bytes between.
/// A whole block is skipped after a match; the weak sum rolls one byte at a time otherwise and
/// the strong sum is computed only when the weak one hits.
///
/// Large files are scanned in chunks on several threads; the chunks are joined where their
/// scans meet, so the result is exactly the serial one (see ``DeltaScanner``).
public struct DeltaMatcher: Sendable {
    public let signature: Signature
    let index: BlockIndex

    public init(signature: Signature) {
        self.signature = signature
        let full = signature.basisSize % UInt64(max(1, signature.blockLength)) == 0 ? signature.blockCount : signature.blockCount - 1
        index = BlockIndex(weak: signature.weak, blockCount: max(0, full))
    }

    /// Which basis blocks a copy may name, for deltas applied inside the basis (``InPlacePlan``).
    /// Always first: the block at the same offset, then the block after the last match.
    public enum SourcePreference: Sendable {
        /// The first equal block in basis order.
        case any
        /// The furthest equal block at or after the target (copies read ahead of the writes, as
        /// rsync's `--inplace` does), else any.
        case forward
        /// Only blocks at or after the target: never a cycle to break, possibly more literal data.
        case forwardOnly
    }

    /// One thread per online processor.
    public static var defaultParallelism: Int { SystemProcess.processorCount }

    /// Below this size a file is scanned on one thread.
    public static let parallelThreshold = 16 << 20

    /// The segments that rebuild `new` from the basis, in target order.
    /// - Parameters:
    ///   - parallelism: threads to scan on (files under ``parallelThreshold`` use one).
    ///   - chunkSize: split size for the parallel scan (tests use small ones); default size/threads.
    ///   - sources: which of several equal basis blocks to copy (see ``SourcePreference``).
    public func segments(for new: UnsafeRawBufferPointer, parallelism: Int = 1, chunkSize: Int? = nil,
                         sources: SourcePreference = .any) -> [DeltaSegment] {
        let chunk = chunkSize ?? (new.count / max(1, parallelism) + 1)
        guard parallelism > 1, chunkSize != nil || new.count >= Self.parallelThreshold, chunk < new.count else {
            var scanner = DeltaScanner(signature: signature, index: index, new: new, start: 0, sources: sources)
            scanner.run(until: new.count)
            return scanner.finish()
        }
        let starts = Array(stride(from: 0, to: new.count, by: max(1, chunk)))
        var scanners = [DeltaScanner?](repeating: nil, count: starts.count)
        scanners.withUnsafeMutableBufferPointer { slots in
            let slots = UnsafeSendable(slots)
            let signature = self.signature, index = self.index, new = UnsafeSendable(new)
            DispatchQueue.concurrentPerform(iterations: starts.count) { i in
                var scanner = DeltaScanner(signature: signature, index: index, new: new.value, start: starts[i], sources: sources)
                scanner.run(until: i + 1 < starts.count ? starts[i + 1] : new.value.count)
                slots.value[i] = scanner
            }
        }
        var joined = scanners[0]!
        for next in scanners.dropFirst().map({ $0! }) {
            // Step on alone until this scan reaches a position the next chunk's scan visited.
            joined.runUntilVisited(by: next)
            if joined.canAdvance && next.visited(joined.position) { joined.adopt(next, from: joined.position) }
        }
        return joined.finish()
    }

    /// The operations that rebuild `new` from the basis (literal bytes copied out of `new`).
    public func operations(for new: UnsafeRawBufferPointer) -> [DeltaOperation] {
        segments(for: new).operations(new: new)
    }
}

/// Carries a pointer into a `concurrentPerform` body whose iterations touch disjoint parts.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
