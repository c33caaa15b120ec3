/// `snapshot list` output: a table for people, JSON for programs.
public enum SnapshotListing {
    /// One line per snapshot, newest first: name, date, size on its own, space it adds; then
    /// the space of them all.
    public static func table(_ survey: SnapshotSurvey) -> String {
        let snapshots = survey.snapshots
        let header = ["SNAPSHOT", "DATE", "SIZE", "ADDS"]
        var rows = snapshots.map { s in
            [s.name + (s.complete ? "" : " (incomplete)"), TimeText.local(s.time.seconds),
             NumberFormatting.human(Double(s.bytes)), NumberFormatting.human(Double(s.addedBytes))]
        }
        rows.append(["total", "", NumberFormatting.human(Double(survey.totalBytes)), ""])
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { i in
                let pad = String(repeating: " ", count: widths[i] - cells[i].count)
                return i >= 2 ? pad + cells[i] : cells[i] + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// `{"snapshots": [...], "total_bytes": N}`, newest first; sizes in bytes, times in
    /// seconds and ISO 8601 (UTC).
    public static func json(_ survey: SnapshotSurvey) -> String {
        JSONText.object([("snapshots", JSONText.array(survey.snapshots.map { s in
            JSONText.object([
                ("name", JSONText.string(s.name)), ("complete", s.complete ? "true" : "false"),
                ("time", JSONText.string(TimeText.iso8601(s.time.seconds))), ("time_seconds", "\(s.time.seconds)"),
                ("bytes", "\(s.bytes)"), ("added_bytes", "\(s.addedBytes)"),
            ])
        })), ("total_bytes", "\(survey.totalBytes)")])
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
