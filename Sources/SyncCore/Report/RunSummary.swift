/// The end-of-run summaries: rsync's `--stats` text and `-v` totals, and the `--json` object.
public struct RunSummary: Sendable {
    public let statistics: SyncStatistics
    public let elapsed: Double
    public let exitCode: ExitCode
    public let humanReadable: Bool

    public init(statistics: SyncStatistics, elapsed: Double, exitCode: ExitCode, humanReadable: Bool) {
        self.statistics = statistics
        self.elapsed = elapsed
        self.exitCode = exitCode
        self.humanReadable = humanReadable
    }

    private func n(_ value: Int64) -> String { NumberFormatting.size(value, human: humanReadable) }

    private func breakdown(_ parts: [(String, Int64)]) -> String {
        let shown = parts.filter { $0.1 > 0 }.map { "\($0.0): \(NumberFormatting.grouped($0.1))" }
        return shown.isEmpty ? "" : " (" + shown.joined(separator: ", ") + ")"
    }

    /// `--stats`, in rsync's words and order.
    public var statsText: String {
        let s = statistics
        var lines: [String] = [""]
        lines.append("Number of files: \(NumberFormatting.grouped(s[.files]))" + breakdown([
            ("reg", s[.regularFiles]), ("dir", s[.directories]), ("link", s[.symlinks]), ("dev", s[.devices]), ("special", s[.specials])]))
        lines.append("Number of created files: \(NumberFormatting.grouped(s[.created]))" + breakdown([
            ("reg", s[.createdRegular]), ("dir", s[.createdDirectories]), ("link", s[.createdSymlinks]),
            ("dev", s[.createdDevices]), ("special", s[.createdSpecials])]))
        lines.append("Number of deleted files: \(NumberFormatting.grouped(s[.deleted]))" + breakdown([
            ("reg", s[.deletedRegular]), ("dir", s[.deletedDirectories]), ("link", s[.deletedSymlinks]),
            ("dev", s[.deletedDevices]), ("special", s[.deletedSpecials])]))
        lines.append("Number of regular files transferred: \(NumberFormatting.grouped(s[.regularTransferred]))")
        lines.append("Total file size: \(n(s[.totalFileSize])) bytes")
        lines.append("Total transferred file size: \(n(s[.transferredSize])) bytes")
        lines.append("Literal data: \(n(s[.literalData])) bytes")
        lines.append("Matched data: \(n(s[.matchedData])) bytes")
        lines.append("File list size: 0")
        lines.append("File list generation time: \(NumberFormatting.seconds(elapsed)) seconds")
        lines.append("File list transfer time: 0.000 seconds")
        lines.append("Total bytes sent: \(n(s[.literalData] - s[.receivedData]))")
        lines.append("Total bytes received: \(n(s[.receivedData]))")
        lines.append("")
        lines.append(totalsText)
        return lines.joined(separator: "\n")
    }

    private var sentAndReceived: (sent: Int64, received: Int64) {
        let received = statistics[.receivedData]
        return (statistics[.literalData] - received, received)
    }

    /// The closing line of a `--log-file` run without `-v` (rsync's, without a rate).
    public var logTotalsText: String {
        let (sent, received) = sentAndReceived
        return "sent \(NumberFormatting.grouped(sent)) bytes  received \(NumberFormatting.grouped(received)) bytes  "
            + "total size \(NumberFormatting.grouped(statistics[.totalFileSize]))"
    }

    /// The two closing lines `-v` and `--stats` print.
    public var totalsText: String {
        let s = statistics
        let (sent, received) = sentAndReceived
        let rate = Double(sent + received) / max(elapsed, 0.001)
        let speedup = Double(s[.totalFileSize]) / Double(max(sent + received, 1))
        let rateText = humanReadable ? NumberFormatting.human(rate) : NumberFormatting.fixed(rate, decimals: 2)
        return "sent \(n(sent)) bytes  received \(n(received)) bytes  \(rateText) bytes/sec\n"
            + "total size is \(n(s[.totalFileSize]))  speedup is \(NumberFormatting.fixed(speedup, decimals: 2))"
    }

    /// `--json`: one object with the run's figures, exact and unformatted.
    public var json: String {
        let s = statistics
        let throughput = Double(s[.literalData]) / max(elapsed, 1e-9)
        let fields: [(String, String)] = [
            ("exit_code", "\(exitCode.rawValue)"),
            ("elapsed_seconds", jsonNumber(elapsed)),
            ("files", "\(s[.files])"),
            ("regular_files", "\(s[.regularFiles])"),
            ("directories", "\(s[.directories])"),
            ("symlinks", "\(s[.symlinks])"),
            ("devices", "\(s[.devices])"),
            ("specials", "\(s[.specials])"),
            ("created", "\(s[.created])"),
            ("deleted", "\(s[.deleted])"),
            ("regular_files_transferred", "\(s[.regularTransferred])"),
            ("total_file_size", "\(s[.totalFileSize])"),
            ("total_transferred_size", "\(s[.transferredSize])"),
            ("literal_data", "\(s[.literalData])"),
            ("matched_data", "\(s[.matchedData])"),
            ("errors", "\(s[.errors])"),
            ("vanished", "\(s[.vanished])"),
            ("deletions_skipped", "\(s[.deletionsSkipped])"),
            ("throughput_bytes_per_second", jsonNumber(throughput)),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    private func jsonNumber(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "0"
    }
}
