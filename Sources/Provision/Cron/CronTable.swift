import SyncCore
import SyncSystem

/// The swiftsync jobs in a cron.d directory: installed, listed and removed by name. A file that
/// swiftsync did not write (no marker line) is never replaced or removed.
public struct CronTable: Sendable {
    public let directory: String

    public init(directory: String = "/etc/cron.d") {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
    }

    public enum InstallOutcome: String, Sendable, Equatable {
        case created, replaced, unchanged
    }

    public func path(of name: String) -> String { "\(directory)/\(name)" }

    /// Writes `job`'s file (atomically, mode 0644: cron skips files others may write).
    @discardableResult
    public func install(_ job: CronJob, log: StepLog = .silent) throws(ProvisionError) -> InstallOutcome {
        try requireDirectory()
        let path = path(of: job.name)
        let existing = try read(path)
        if let existing, !existing.hasPrefix(CronJob.marker) {
            throw .usage("\(path) exists and was not written by swiftsync: not replacing it (choose another --name)")
        }
        if existing == job.fileText {
            log("\(path) is already up to date: nothing to do")
            return .unchanged
        }
        log(existing == nil ? "writing \(path)" : "replacing \(path)")
        do {
            try FileSystem.replaceFile(path, contents: Array(job.fileText.utf8), mode: 0o644)
        } catch {
            throw .failed("cannot write \(path): \(error.reason)")
        }
        return existing == nil ? .created : .replaced
    }

    /// Every swiftsync job in the directory, by name.
    public func list() throws(ProvisionError) -> [InstalledCronJob] {
        try requireDirectory()
        let names: [[UInt8]]
        do { names = try FileSystem.directoryNames(directory) } catch { throw .failed("cannot list \(directory): \(error.reason)") }
        var jobs: [InstalledCronJob] = []
        for raw in names {
            let name = String(decoding: raw, as: UTF8.self)
            guard (try? CronJob.check(name: name)) != nil else { continue }  // cron skips it too
            let path = path(of: name)
            guard let status = try? FileSystem.statusIfPresent(path), status.kind == .regular else { continue }
            if let text = try read(path), let job = InstalledCronJob.parse(text, name: name, path: path) { jobs.append(job) }
        }
        return jobs
    }

    /// Removes the job named `name`.
    public func remove(name: String, log: StepLog = .silent) throws(ProvisionError) {
        try CronJob.check(name: name)
        try requireDirectory()
        let path = path(of: name)
        guard let existing = try read(path) else { throw .usage("no cron job \"\(name)\": \(path) does not exist") }
        guard existing.hasPrefix(CronJob.marker) else {
            throw .usage("\(path) was not written by swiftsync: not removing it")
        }
        log("removing \(path)")
        do { try FileSystem.removeFile(path) } catch { throw .failed("cannot remove \(path): \(error.reason)") }
    }

    private func requireDirectory() throws(ProvisionError) {
        let status = try? FileSystem.statusIfPresent(directory)
        guard status?.kind == .directory else { throw .usage("cron directory \(directory) does not exist (is cron installed?)") }
    }

    private func read(_ path: String) throws(ProvisionError) -> String? {
        do { return try FileSystem.readTextIfPresent(path) } catch { throw .failed("cannot read \(path): \(error.reason)") }
    }
}

/// Where this program is installed, for the cron line: the target of `/proc/self/exe`. When it
/// runs as `swiftsync-s3` (which `swiftsync` hands S3 arguments to) and `swiftsync` sits next
/// to it, the cron line names `swiftsync`, the program users call.
public enum InstalledBinary {
    public static func path() throws(ProvisionError) -> String {
        let own: String
        do {
            own = String(decoding: try FileSystem.readLink(Array("/proc/self/exe".utf8), in: FileSystem.currentDirectory, path: "/proc/self/exe"),
                         as: UTF8.self)
        } catch {
            throw .failed("cannot find this program's path: \(error)")
        }
        guard own.hasSuffix("/swiftsync-s3") else { return own }
        let sibling = String(own.dropLast("-s3".count))
        return FileSystem.locateExecutable(sibling, path: nil) ?? own
    }
}
