#if canImport(Glibc)
import Glibc
#endif
import Synchronization

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
    public var isTerminal: Bool { isatty(fd) == 1 }

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
        b.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; break }
                done += n
            }
        }
        b.removeAll(keepingCapacity: true)
    }
}
