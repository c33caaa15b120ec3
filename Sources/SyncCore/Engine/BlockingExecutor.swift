import SyncSystem
import Synchronization

/// A `TaskExecutor` with its own threads, for tasks that make blocking syscalls (stat,
/// getdents, copy_file_range...). Swift's cooperative pool has one thread per core and must
/// never block; these threads may.
public final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    private let lock = ConditionLock()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var threads: [SystemThread] = []

    /// Starts `threadCount` threads.
    public init(threadCount: Int) {
        for _ in 0..<max(1, threadCount) {
            threads.append(SystemThread { [self] in runLoop() })
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        lock.lock()
        jobs.append(unowned)
        lock.signal()
        lock.unlock()
    }

    private func runLoop() {
        while true {
            lock.lock()
            while head == jobs.count && !stopping { lock.wait() }
            if head == jobs.count && stopping {
                lock.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            lock.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Lets the threads finish the queued jobs and exit, and waits for them.
    public func shutdown() {
        lock.lock()
        stopping = true
        lock.broadcast()
        lock.unlock()
        for thread in threads { thread.join() }
        threads.removeAll()
    }
}
