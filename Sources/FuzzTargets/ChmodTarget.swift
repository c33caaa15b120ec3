import SyncCore

/// `--chmod=...`: parse, then apply the rules to a few modes of files and directories.
public func fuzzChmod(_ data: UnsafeRawBufferPointer) {
    guard let rules = try? ChmodRules(String(decoding: data, as: UTF8.self)) else { return }
    for mode: UInt32 in [0, 0o644, 0o755, 0o4711, 0o7777] {
        for isDirectory in [false, true] {
            let result = rules.apply(to: mode, isDirectory: isDirectory)
            check(result & ~0o7777 == 0, "--chmod produced mode \(String(result, radix: 8)) beyond the permission bits")
        }
    }
}
