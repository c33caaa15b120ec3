import AWSCore

/// Times from S3: `Last-Modified` headers (HTTP dates) and listings' `LastModified` (ISO 8601).
/// A time that parses is then formatted, as the rest of the code may do with it.
public func fuzzHTTPDate(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    if let seconds = AWSTime.parseHTTPDate(text) {
        _ = AWSTime(secondsSinceEpoch: seconds).basic
    }
    if let seconds = AWSTime.parseISO8601(text) {
        _ = AWSTime(secondsSinceEpoch: seconds).basic
    }
}
