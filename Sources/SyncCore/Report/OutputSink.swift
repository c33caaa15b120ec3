#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SyncSystem

/// A locked, buffered writer to a file descriptor: many threads print whole lines, and a
/// line is never interleaved with another.
public final class OutputSink: Sendable {
    private let fd: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let limit: Int

    public static let standardOutput = OutputSink(fd: STDOUT_FILENO)
    public static let standardError = OutputSink(fd: STDERR_FILENO, limit: 0)

    public init(fd: Int32, limit: Int = 64 * 1024) {
        self.fd = fd
        self.limit = limit
    }

    /// Whether the descriptor is a terminal (live progress bars) or not (plain lines).
    public var isTerminal: Bool { SystemProcess.isTerminal(fd) }

    /// Appends `text` and a newline.
    public func line(_ text: String) {
        write(text + "\n")
    }

    public func write(_ text: String) {
        buffer.withLock { b in
            b.append(contentsOf: text.utf8)
            if b.count > limit { drain(&b) }
        }
    }

    public func flush() {
        buffer.withLock { b in drain(&b) }
    }

    private func drain(_ b: inout [UInt8]) {
        guard !b.isEmpty else { return }
        // Output that cannot be written (a closed pipe) is dropped: there is nowhere to say so.
        b.withUnsafeBytes { raw in try? FileSystem.writeAll(fd, raw, path: "output") }
        b.removeAll(keepingCapacity: true)
    }
}
