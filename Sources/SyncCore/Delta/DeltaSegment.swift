/// One piece of the new file as the matcher found it: `length` bytes at `targetOffset` that are
/// either a range of the basis (`basisOffset`) or literal bytes, which are the new file's own
/// bytes at `targetOffset` (so a segment list holds no data, only positions).
public struct DeltaSegment: Sendable, Equatable, CustomStringConvertible {
    public var targetOffset: Int
    public var length: Int
    /// Where the bytes come from in the basis; nil for literal bytes.
    public var basisOffset: Int?

    public init(targetOffset: Int, length: Int, basisOffset: Int?) {
        self.targetOffset = targetOffset
        self.length = length
        self.basisOffset = basisOffset
    }

    public static func copy(at targetOffset: Int, from basisOffset: Int, length: Int) -> DeltaSegment {
        DeltaSegment(targetOffset: targetOffset, length: length, basisOffset: basisOffset)
    }

    public static func literal(at targetOffset: Int, length: Int) -> DeltaSegment {
        DeltaSegment(targetOffset: targetOffset, length: length, basisOffset: nil)
    }

    public var isLiteral: Bool { basisOffset == nil }
    public var targetEnd: Int { targetOffset + length }

    public var description: String {
        if let basisOffset { "copy(\(targetOffset)+\(length) ← \(basisOffset))" } else { "literal(\(targetOffset)+\(length))" }
    }
}

extension Array where Element == DeltaSegment {
    /// Appends a segment, merging it into the last one when they continue each other (adjacent
    /// literals; copies of adjacent basis ranges).
    @inlinable
    mutating func appendMerging(_ segment: DeltaSegment) {
        guard segment.length > 0 else { return }
        if let last = self.last, last.targetEnd == segment.targetOffset {
            switch (last.basisOffset, segment.basisOffset) {
            case (nil, nil):
                self[count - 1].length += segment.length
                return
            case (let a?, let b?) where a + last.length == b:
                self[count - 1].length += segment.length
                return
            default:
                break
            }
        }
        append(segment)
    }

    /// The delta operations these segments stand for, literal bytes taken from `new`.
    public func operations(new: UnsafeRawBufferPointer) -> [DeltaOperation] {
        map { segment in
            if let basisOffset = segment.basisOffset {
                return .copy(offset: UInt64(basisOffset), length: UInt64(segment.length))
            }
            return .literal([UInt8](new[segment.targetOffset..<segment.targetEnd]))
        }
    }

    /// Literal and matched byte counts (`--stats`).
    public var byteCounts: (literal: Int, matched: Int) {
        var literal = 0, matched = 0
        for segment in self {
            if segment.isLiteral { literal += segment.length } else { matched += segment.length }
        }
        return (literal, matched)
    }
}
