#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition variable (pthreads), for code that runs on its own threads and
/// must block there (Swift's `Mutex` cannot wait). Lives as long as its owner; never moved.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Unlocks, sleeps until signalled, locks again (the caller holds the lock and re-checks
    /// its condition: wake-ups may be spurious).
    public func wait() { pthread_cond_wait(condition, mutex) }
    /// Wakes one waiter.
    public func signal() { pthread_cond_signal(condition) }
    /// Wakes every waiter.
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// `body` with the lock held.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A thread of the process's own (not Swift's cooperative pool): for work that blocks.
public struct SystemThread: @unchecked Sendable {
    private let thread: pthread_t

    /// Starts a thread running `body`.
    public init(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body))
        let result = pthread_create(&thread, nil, { argument in
            Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, box.toOpaque())
        // Without a thread nothing can run the work: a process that cannot start one is broken.
        precondition(result == 0, "pthread_create failed (\(result))")
        self.thread = thread
    }

    /// Waits for the thread to return.
    public func join() { pthread_join(thread, nil) }
}
