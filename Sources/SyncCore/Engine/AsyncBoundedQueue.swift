import Synchronization

/// A bounded multi-producer, multi-consumer queue: producers wait when it is full
/// (back-pressure, not buffering), consumers wait when it is empty, `nil` after `close()`.
public final class AsyncBoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        /// Taken slots are emptied at once: a queue that never runs dry (producers ahead of
        /// consumers, as an upload's walker is) must not keep what it handed out, which held
        /// every directory of an upload open to the end.
        var buffer: [Element?] = []
        var head = 0
        var consumers: [UnsafeContinuation<Element?, Never>] = []
        var producers: [UnsafeContinuation<Void, Never>] = []
        var closed = false
        var count: Int { buffer.count - head }

        /// The oldest element (`count > 0`), with the next producer to wake for its room.
        mutating func take() -> PopStep<Element> {
            let element = buffer[head].take()!
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return .value(element, producers.isEmpty ? nil : producers.removeFirst())
        }
    }

    private let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds `element`, waiting while the queue is full. Dropped if the queue is closed.
    public func push(_ element: Element) async {
        while true {
            let handedOver: UnsafeContinuation<Element?, Never>?
            let step: PushStep
            (handedOver, step) = state.withLock { s -> (UnsafeContinuation<Element?, Never>?, PushStep) in
                if s.closed { return (nil, .done) }
                if !s.consumers.isEmpty { return (s.consumers.removeFirst(), .done) }
                if s.count < capacity {
                    s.buffer.append(element)
                    return (nil, .done)
                }
                return (nil, .wait)
            }
            if let handedOver { handedOver.resume(returning: element); return }
            if step == .done { return }
            await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.closed || s.count < capacity || !s.consumers.isEmpty { return true }
                    s.producers.append(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// The next element, waiting while the queue is empty; `nil` once closed and drained.
    public func pop() async -> Element? {
        let step = state.withLock { s -> PopStep<Element> in
            if s.count > 0 { return s.take() }
            return s.closed ? .finished : .wait
        }
        switch step {
        case .value(let e, let producer):
            producer?.resume()
            return e
        case .finished:
            return nil
        case .wait:
            return await withUnsafeContinuation { (c: UnsafeContinuation<Element?, Never>) in
                let now = state.withLock { s -> PopStep<Element> in
                    if s.count > 0 { return s.take() }
                    if s.closed { return .finished }
                    s.consumers.append(c)
                    return .wait
                }
                switch now {
                case .value(let e, let producer):
                    producer?.resume()
                    c.resume(returning: e)
                case .finished:
                    c.resume(returning: nil)
                case .wait:
                    // A consumer waiting means room: wake a producer that waits for it.
                    let producer = state.withLock { s in s.producers.isEmpty ? nil : s.producers.removeFirst() }
                    producer?.resume()
                }
            }
        }
    }

    /// No more elements: waiting consumers get `nil`, waiting producers return.
    public func close() {
        let (consumers, producers) = state.withLock { s in
            s.closed = true
            defer { s.consumers.removeAll(); s.producers.removeAll() }
            return (s.consumers, s.producers)
        }
        for c in consumers { c.resume(returning: nil) }
        for p in producers { p.resume() }
    }
}

private enum PushStep { case done, wait }
private enum PopStep<Element> { case value(Element, UnsafeContinuation<Void, Never>?), finished, wait }
