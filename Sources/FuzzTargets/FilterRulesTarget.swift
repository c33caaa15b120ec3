import SyncCore

/// Filter rules come from the command line and from rule files (`--exclude-from`,
/// `--filter='merge FILE'`-style lists, `--files-from`): the input is a rule file. Its first byte
/// picks how it is read (as `--filter`, `--exclude` or `--include` rules, NUL- or
/// newline-separated, with or without `--delete-excluded`); every accepted rule is then matched
/// against a few paths, including the input's own lines.
public func fuzzFilterRules(_ data: UnsafeRawBufferPointer) {
    guard let mode = data.first else { return }
    let bytes = [UInt8](data.dropFirst())
    let source: FilterParser.Source = [.filter, .exclude, .include][Int(mode % 3)]
    let lines = FilterParser.lines(ofRuleFile: bytes, nulSeparated: mode & 0x04 != 0)
    var list = FilterList()
    for line in lines {
        try? FilterParser.add(bytes: line, as: source, deleteExcluded: mode & 0x08 != 0, to: &list)
    }
    guard !list.isEmpty else { return }
    var paths: [[UInt8]] = ["a", "a/b", "dir/sub/file.txt", ".hidden", "x/y/z/w/v/u.dat", "a b/[c]*?"].map { Array($0.utf8) }
    paths += lines.prefix(4).filter { $0.count <= 256 }
    for path in paths {
        for isDirectory in [false, true] {
            _ = list.excludesOnSender(path, isDirectory: isDirectory)
            _ = list.protectsOnReceiver(path, isDirectory: isDirectory)
        }
    }
}
