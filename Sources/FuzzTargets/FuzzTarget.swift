/// The fuzz targets: one function per parser of outside input, each taking raw bytes and
/// returning normally for every input, valid or not. A crash (a trap, an overflow, a failed
/// invariant check) is the finding.
///
/// The same functions run in two places: `make fuzz` links them into a libFuzzer executable
/// (Fuzz/, `LLVMFuzzerTestOneInput`), and `Tests/FuzzTargetsTests` replays every file under
/// `fixtures/fuzz/<name>/` through them in `make test`, so a crasher, once saved, stays fixed.
public struct FuzzTarget: Sendable {
    /// The corpus directory under `fixtures/fuzz/`, and the name `make fuzz` knows it by.
    public let name: String
    public let run: @Sendable (UnsafeRawBufferPointer) -> Void

    public init(_ name: String, _ run: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.name = name
        self.run = run
    }

    /// Every target, in the order `make fuzz` runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget("signature", fuzzSignature),
        FuzzTarget("delta", fuzzDelta),
        FuzzTarget("delta-zlib", fuzzCompressedDelta),
        FuzzTarget("filter", fuzzFilterRules),
        FuzzTarget("chmod", fuzzChmod),
        FuzzTarget("xml", fuzzXML),
        FuzzTarget("ini", fuzzINI),
        FuzzTarget("etag", fuzzETag),
        FuzzTarget("http-date", fuzzHTTPDate),
        FuzzTarget("log-format", fuzzLogFormat),
        FuzzTarget("symlink-safety", fuzzSymlinkSafety),
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A failed invariant: traps, so that libFuzzer saves the input and the replay test fails.
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { preconditionFailure(message(), file: file, line: line) }
}
