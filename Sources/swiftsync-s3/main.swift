import SwiftsyncCLI

// swiftsync with S3: the same command line, plus syncs to and from s3:// URLs and the `s3`
// commands (bucket lifecycle rules).
SwiftsyncMain.s3Runner = runS3
SwiftsyncMain.additionalCommands = [S3Command.self]
await SwiftsyncMain.run()
