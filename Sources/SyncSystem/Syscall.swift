#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

/// Runs a libc call, retrying on EINTR. This is the only place EINTR is handled.
///
/// Returns the call's result; on failure the result is -1 and `errno` is left for the caller.
@inlinable @inline(__always)
func retryingEINTR<T: FixedWidthInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string, on the stack when short.
@inlinable @inline(__always)
func withCPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
    try withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: source.count)
            }
        }
        buffer[bytes.count] = 0
        return try body(UnsafePointer(buffer.baseAddress!))
    }
}

/// Seconds and nanoseconds, as the kernel keeps file times.
public struct FileTime: Hashable, Sendable, Comparable {
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (a: FileTime, b: FileTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    var timespec: Glibc.timespec { Glibc.timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds)) }

    /// A `timespec` that tells `utimensat` to leave that time alone.
    static var omit: Glibc.timespec { Glibc.timespec(tv_sec: 0, tv_nsec: cs_utime_omit()) }
}
