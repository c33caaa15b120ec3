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
        JSONValue.object([
            ("snapshots", .array(survey.snapshots.map { s in
                .object([
                    ("name", .string(s.name)), ("complete", .bool(s.complete)),
                    ("time", .string(TimeText.iso8601(s.time.seconds))), ("time_seconds", .integer(s.time.seconds)),
                    ("bytes", .integer(s.bytes)), ("added_bytes", .integer(s.addedBytes)),
                ])
            })),
            ("total_bytes", .integer(survey.totalBytes)),
        ]).serialized
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
