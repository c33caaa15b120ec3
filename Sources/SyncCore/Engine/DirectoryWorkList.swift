import Synchronization

/// The directories waiting to be walked: a LIFO stack (depth first keeps the frontier, and so
/// memory, small) that knows when the walk is over — nothing queued and nothing in progress.
final class DirectoryWorkList: Sendable {
    private struct State {
        var stack: [DirectoryNode] = []
        var outstanding = 0
        var waiters: [UnsafeContinuation<DirectoryNode?, Never>] = []
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Queues a directory; it counts as outstanding until `finished()` is called for it.
    func push(_ node: DirectoryNode) {
        let waiter = state.withLock { s -> UnsafeContinuation<DirectoryNode?, Never>? in
            s.outstanding += 1
            if !s.waiters.isEmpty { return s.waiters.removeLast() }
            s.stack.append(node)
            return nil
        }
        waiter?.resume(returning: node)
    }

    /// The next directory, or `nil` when the walk is complete.
    func pop() async -> DirectoryNode? {
        if let immediate = state.withLock({ s -> DirectoryNode?? in
            if s.cancelled { return .some(nil) }
            if let n = s.stack.popLast() { return .some(n) }
            if s.outstanding == 0 { return .some(nil) }
            return .none
        }) { return immediate }
        return await withUnsafeContinuation { c in
            let now = state.withLock { s -> DirectoryNode?? in
                if s.cancelled { return .some(nil) }
                if let n = s.stack.popLast() { return .some(n) }
                if s.outstanding == 0 { return .some(nil) }
                s.waiters.append(c)
                return .none
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Marks one popped directory as done; the last one ends the walk.
    func finished() {
        let waiters = state.withLock { s -> [UnsafeContinuation<DirectoryNode?, Never>] in
            s.outstanding -= 1
            guard s.outstanding == 0 else { return [] }
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: nil) }
    }

    /// Stops the walk: queued directories are dropped, walkers get `nil`.
    func cancel() {
        let waiters = state.withLock { s -> [UnsafeContinuation<DirectoryNode?, Never>] in
            s.cancelled = true
            s.stack.removeAll()
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: nil) }
    }
}
