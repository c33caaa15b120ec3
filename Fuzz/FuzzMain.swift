// The libFuzzer entry point for every target in Sources/FuzzTargets: `make fuzz` builds this
// (only then is it part of the package: SWIFTSYNC_FUZZ=1, scratch path .build-fuzz) with
// libFuzzer, ASan and coverage, and runs it once per target with FUZZ_TARGET=<name>.
//
//   FUZZ_TARGET=signature .build-fuzz/debug/swiftsync-fuzz fixtures/fuzz/signature   # replay
//   FUZZ_TARGET=signature .build-fuzz/debug/swiftsync-fuzz -max_total_time=60 CORPUS_DIR...
import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

private func fail(_ message: String) -> Never {
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

/// The target named by FUZZ_TARGET; anything else ends the process with the list of names.
let selected: FuzzTarget = {
    let names = FuzzTarget.all.map(\.name).joined(separator: " ")
    guard let name = getenv("FUZZ_TARGET").map({ String(cString: $0) }) else {
        fail("swiftsync-fuzz: set FUZZ_TARGET to one of: \(names)\n")
    }
    guard let target = FuzzTarget.named(name) else {
        fail("swiftsync-fuzz: unknown FUZZ_TARGET \"\(name)\"; the targets are: \(names)\n")
    }
    return target
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected.run(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}
