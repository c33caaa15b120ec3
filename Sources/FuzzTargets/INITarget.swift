import AWSCore

/// `~/.aws/credentials`, `~/.aws/config` and `~/.boto`: parse, then look every key up again.
public func fuzzINI(_ data: UnsafeRawBufferPointer) {
    let file = INIFile(parsing: String(decoding: data, as: UTF8.self))
    for (section, keys) in file.sections {
        for key in keys.keys {
            _ = file[section, key]
        }
    }
    _ = file["default", "aws_access_key_id"]
    _ = file["profile default", "region"]
}
