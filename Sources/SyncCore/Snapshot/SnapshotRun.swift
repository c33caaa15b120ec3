import SyncSystem
/// One `swiftsync snapshot` run, rsnapshot-style: the sources are synced into
/// `DEST_ROOT/.in-progress` by the ordinary engine with `--link-dest` against the newest
/// snapshot (unchanged files become hard links to it, so a snapshot costs only what changed),
/// then the snapshots rotate and `.in-progress` becomes `LEVEL.0`.
///
/// Nothing that exists is touched before the new snapshot is complete, and the rotation is
/// journaled: a run killed at any point leaves every finished snapshot as it was, and the
/// next run picks up `.in-progress` (and undoes a half-done rotation) and completes.
public struct SnapshotRun: Sendable {
    public let rootPath: String
    public let policy: RetentionPolicy
    /// `--level` positions to promote, highest first.
    public let promoting: [Int]
    /// The sync's options; the run adds `--delete` (a snapshot is an exact copy) and `--link-dest`.
    public let options: SyncOptions
    public let reporter: SyncReporter

    public init(rootPath: String, policy: RetentionPolicy, promoting: [Int], options: SyncOptions, reporter: SyncReporter) {
        self.rootPath = rootPath
        self.policy = policy
        self.promoting = promoting
        self.options = options
        self.reporter = reporter
    }

    /// Runs it; returns rsync's exit code for the run and the seconds it took. A sync that ends
    /// with 23 or 24 (some files failed or vanished) still becomes a snapshot, as with
    /// rsnapshot; any other failure leaves it in `.in-progress` for the next run.
    public func run(sources: [String], progress: ProgressReporter? = nil) async -> (ExitCode, Double) {
        let started = SystemClock.monotonicSeconds()
        // The root's own work is blocking syscalls: one thread of its own, off the cooperative pool.
        let executor = BlockingExecutor(threadCount: 1)
        defer { executor.shutdown() }
        guard let prepared = await withTaskExecutorPreference(executor, operation: { prepare() }) else {
            return (reporter.exitCode, SystemClock.monotonicSeconds() - started)
        }
        var options = self.options
        if options.delete == nil { options.delete = .during }
        // Absolute: a dry run has no .in-progress for a relative one to start from.
        options.linkDest = prepared.newest.map { [SyncEngine.absolute(pathInRoot($0))] } ?? []
        let engine = SyncEngine(options: options, reporter: reporter)
        let code = await engine.run(sources: sources, destination: pathInRoot(RotationPlanner.inProgress), progress: progress)
        guard [.success, .partialTransfer, .vanished].contains(code), !CancellationFlag.isSet else {
            if !options.dryRun { reporter.warning("the new snapshot stays in \(pathInRoot(RotationPlanner.inProgress)); the next run completes it") }
            return (code, SystemClock.monotonicSeconds() - started)
        }
        await withTaskExecutorPreference(executor) { commit() }
        return (reporter.exitCode, SystemClock.monotonicSeconds() - started)
    }

    private func pathInRoot(_ name: String) -> String { rootPath.hasSuffix("/") ? rootPath + name : rootPath + "/" + name }

    private struct Prepared {
        /// The snapshot to hard-link unchanged files to; nil for the first one.
        let newest: String?
    }

    /// Opens the root, recovers from an interrupted run, and finds the snapshot to link to.
    /// Returns nil (after reporting) when the run cannot go on.
    private func prepare() -> Prepared? {
        do {
            guard let root = try SnapshotRoot.open(rootPath, create: !options.dryRun) else { return Prepared(newest: nil) }
            if options.dryRun {
                if (try? root.readJournal()) != nil { reporter.notice("an interrupted rotation would be finished or undone first") }
            } else if let done = try root.recover() {
                reporter.notice("snapshot: \(done)")
            }
            let newest = RotationPlanner.newest(existing: try root.snapshots(), policy: policy)?.description
            if root.hasInProgress {
                reporter.notice("snapshot: completing \(root.path(of: RotationPlanner.inProgress)), left by an interrupted run")
                if let newest, !options.dryRun {
                    let unlinked = try root.unshareInProgress(from: newest)
                    if unlinked > 0 { reporter.verbose("snapshot: \(unlinked) files in .in-progress were links to \(newest); they are linked again") }
                }
            }
            return Prepared(newest: newest)
        } catch {
            reporter.fatalIO("snapshot root \(rootPath): \(error)")
            return nil
        }
    }

    /// Dates the new snapshot, then rotates it into place (dry run: says what it would do).
    private func commit() {
        do {
            let root = try SnapshotRoot.open(rootPath, create: false)
            let existing = try root?.snapshots() ?? []
            let plan = RotationPlanner.plan(existing: existing, policy: policy, promoting: promoting)
            for level in plan.idlePromotions {
                let lower = policy.levels[policy.position(of: level)! - 1]
                reporter.notice("snapshot: --level \(level): no \(lower.name).\(lower.count - 1) yet, nothing to promote")
            }
            for step in plan.steps {
                if options.dryRun { reporter.notice("snapshot: would \(step)") } else { reporter.verbose("snapshot: \(step)") }
            }
            guard let root, !options.dryRun else { return }
            try root.stamp(RotationPlanner.inProgress)
            try root.rotate(plan)
        } catch {
            reporter.fatalIO("snapshot rotation in \(rootPath) stopped: \(error)")
        }
    }
}
