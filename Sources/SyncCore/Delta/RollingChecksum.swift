/// rsync's rolling weak checksum over a window: `a` = sum of the bytes, `b` = sum of the running
/// `a`s, both mod 2^16, value `b << 16 | a`. Rolling one byte costs two adds and a multiply.
public struct RollingChecksum: Sendable, Equatable {
    @usableFromInline var a: UInt32 = 0
    @usableFromInline var b: UInt32 = 0
    public let windowLength: Int

    /// The checksum of `window` (its length is the window length from then on).
    @inlinable
    public init(_ window: UnsafeRawBufferPointer) {
        windowLength = window.count
        // b = Σ (n - i)·x_i = n·Σx_i − Σ i·x_i: two independent sums the compiler vectorises,
        // instead of the a→b dependency chain. Only the low 16 bits of `a` and `b` reach the
        // value (and rolling keeps the low bits exact), so 16-bit lanes suffice: twice as many
        // per vector as 32-bit ones.
        var a: UInt16 = 0, weighted: UInt16 = 0
        let bytes = window.bindMemory(to: UInt8.self)
        for i in 0..<bytes.count {
            let x = UInt16(bytes[i])
            a &+= x
            weighted &+= UInt16(truncatingIfNeeded: i) &* x
        }
        self.a = UInt32(a)
        self.b = UInt32(UInt16(truncatingIfNeeded: window.count) &* a &- weighted)
    }

    public init<C: Collection<UInt8>>(bytes: C) {
        self = Array(bytes).withUnsafeBytes { RollingChecksum($0) }
    }

    /// Slides the window one byte: `outgoing` leaves at the front, `incoming` joins at the back.
    @inlinable @inline(__always)
    public mutating func roll(out outgoing: UInt8, in incoming: UInt8) {
        a = a &- UInt32(outgoing) &+ UInt32(incoming)
        b = b &- UInt32(truncatingIfNeeded: windowLength) &* UInt32(outgoing) &+ a
    }

    @inlinable
    public var value: UInt32 { (b & 0xffff) << 16 | (a & 0xffff) }
}
