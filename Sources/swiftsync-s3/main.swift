import SwiftsyncCLI

// swiftsync with S3: the same command line, plus syncs to and from s3:// URLs.
SwiftsyncMain.s3Runner = runS3
await SwiftsyncMain.run()
