import Synchronization

/// At most `limit` requests in flight (`--s3-concurrency`), counted across files and parts:
/// each HTTP attempt holds a permit while it runs and gives it back before any retry backoff,
/// so a waiting retry never blocks other requests and no holder ever waits for a second permit.
public final class RequestLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    public let limit: Int

    public init(limit: Int) {
        self.limit = max(1, limit)
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` holding one permit.
    public func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    func acquire() async {
        let granted = state.withLock { s -> Bool in
            guard s.available > 0 else { return false }
            s.available -= 1
            return true
        }
        if granted { return }
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.available > 0 {
                    s.available -= 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func release() {
        // A waiter takes the permit over directly: `available` stays as it is.
        let next = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.available += 1
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
