import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop. AWS calls run their HTTP exchange
/// under it: AsyncHTTPClient then takes that loop for the connection, its pool and connection
/// work happen in-loop, and the answer resumes the task on the thread it arrived on, instead of
/// waking other threads several times per request (a quarter of the context switches of a
/// small-object upload). Only non-blocking work may run here: file I/O stays on the caller's
/// executor.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    public let loop: any EventLoop

    public init(loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        loop.execute { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
