import ArgumentParser
import SwiftsyncCLI
import SyncSystem

// swiftsync with S3 and EC2: the same command line, plus syncs to and from s3:// URLs and the
// ebs and s3 (bucket lifecycle rules) subcommands; under the name boto-rsync (a symlink),
// boto-rsync's command line.
// Peak memory flat in the number of objects (see useOneMallocArena).
SystemProcess.useOneMallocArena()
if CommandLine.arguments.first?.split(separator: "/").last == "boto-rsync" {
    await BotoRsyncCommand.runCommandLine(Array(CommandLine.arguments.dropFirst()))
}
await SwiftsyncMain.run(SwiftSyncS3.self, s3: .runner { await runS3(paths: $0, s3: $1, options: $2, reporter: $3, progress: $4) })

/// The root command of this program: `swiftsync`'s, plus the subcommands that call AWS APIs.
struct SwiftSyncS3: AsyncParsableCommand {
    static var configuration: CommandConfiguration { SwiftsyncMain.rootConfiguration(adding: [EBSCommand.self, S3Command.self]) }
}
