import SwiftsyncCLI
import SyncSystem

// A sync to or from S3, the subcommands that call AWS APIs (`ebs`, `s3`) and boto-rsync mode run in
// `swiftsync-s3`, installed next to this program: that keeps the HTTP/TLS stack (and its
// memory) out of every local sync. Subcommands and the program's name are known before parsing;
// a sync is handed over once its parsed paths name s3:// (an `--exclude 's3://*'` stays here).
@Sendable func runSwiftsyncS3() -> Never {
    let own = SystemProcess.executablePath() ?? CommandLine.arguments[0]
    let helper = (own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")) + "/swiftsync-s3"
    let failure = SystemProcess.replace(with: helper, arguments: CommandLine.arguments)
    let message = "swiftsync: S3 and EC2 support is a separate program, \(helper), which could not be started: \(failure.reason)\n"
    try? FileSystem.write(Array(message.utf8), to: 2, path: "stderr")
    SystemProcess.exit(1)
}

if SwiftsyncMain.namesHTTPSubcommand(Array(CommandLine.arguments.dropFirst()))
    || CommandLine.arguments.first?.split(separator: "/").last == "boto-rsync" {
    runSwiftsyncS3()
}
await SwiftsyncMain.run(s3: .handOver(runSwiftsyncS3))
