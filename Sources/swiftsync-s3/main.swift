import SwiftsyncCLI

// swiftsync with S3 and EC2: the same command line, plus syncs to and from s3:// URLs and the
// ebs subcommand.
SwiftsyncMain.s3Runner = runS3
SwiftsyncMain.httpSubcommands = [EBSCommand.self]
await SwiftsyncMain.run()
