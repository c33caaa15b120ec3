import SwiftsyncCLI
#if canImport(Glibc)
import Glibc
#endif

// A sync to or from S3, the subcommands that call AWS APIs (`ebs`, `s3`) and boto-rsync mode run in
// `swiftsync-s3`, installed next to this program: that keeps the HTTP/TLS stack (and its
// memory) out of every local sync. Subcommands and the program's name are known before parsing;
// a sync is handed over once its parsed paths name s3:// (an `--exclude 's3://*'` stays here).
@Sendable func runSwiftsyncS3() -> Never {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let own = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    let helper = (own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")) + "/swiftsync-s3"
    var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) } + [nil]
    execv(helper, &argv)
    let message = "swiftsync: S3 and EC2 support is a separate program, \(helper), which could not be started: \(String(cString: strerror(errno)))\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.first.map(SwiftsyncMain.httpSubcommandNames.contains) == true || CommandLine.arguments.first?.split(separator: "/").last == "boto-rsync" {
    runSwiftsyncS3()
}
await SwiftsyncMain.run(s3: .handOver(runSwiftsyncS3))
