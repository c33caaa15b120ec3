import Synchronization

/// What a progress line is drawn from: the run's counters and the bytes moved so far.
public protocol ProgressSource: Sendable {
    var statistics: SyncStatistics { get }
    /// Bytes written (or sent) so far.
    var bytesTransferred: Int64 { get }
    /// Seconds since the run started.
    var elapsed: Double { get }
}

/// `--info=progress2`: one whole-run progress line. On a terminal it is redrawn in place
/// every half second; otherwise a plain line is printed every few seconds, so logs stay sane.
public final class ProgressReporter: Sendable {
    let sink: OutputSink
    let interactive: Bool
    private let stopped = Atomic<Bool>(false)

    public init(sink: OutputSink = .standardOutput) {
        self.sink = sink
        self.interactive = sink.isTerminal
    }

    /// Draws until ``stop()``, then once more.
    public func run(source: some ProgressSource) async {
        var ticks = 0
        while !stopped.load(ordering: .relaxed) {
            try? await Task.sleep(nanoseconds: 100_000_000)
            ticks += 1
            if interactive ? ticks % 5 == 0 : ticks % 20 == 0 {
                draw(source, final: false)
            }
        }
        draw(source, final: true)
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    private func draw(_ source: some ProgressSource, final: Bool) {
        let stats = source.statistics
        let bytes = source.bytesTransferred
        let elapsed = max(0.001, source.elapsed)
        let total = max(stats[.totalFileSize], bytes)
        let percent = total == 0 ? 100 : Int(Double(bytes) * 100 / Double(total))
        let sizeText = NumberFormatting.grouped(bytes)
        var text = String(repeating: " ", count: max(0, 14 - sizeText.count)) + sizeText
        text += String(repeating: " ", count: percent < 10 ? 3 : percent < 100 ? 2 : 1) + "\(percent)%"
        text += "  " + Self.rate(Double(bytes) / elapsed) + "    " + Self.clock(elapsed)
        text += " (xfr#\(stats[.regularTransferred]), files=\(stats[.files]))"
        if interactive {
            sink.write("\r" + text + (final ? "\n" : ""))
        } else {
            sink.line(text)
        }
        sink.flush()
    }

    static func rate(_ bytesPerSecond: Double) -> String {
        let units = ["B/s", "kB/s", "MB/s", "GB/s"]
        var value = bytesPerSecond
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return NumberFormatting.fixed(value, decimals: 2) + units[unit]
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds)
        let m = (s / 60) % 60
        let sec = s % 60
        return "\(s / 3600):" + (m < 10 ? "0" : "") + "\(m):" + (sec < 10 ? "0" : "") + "\(sec)"
    }
}
