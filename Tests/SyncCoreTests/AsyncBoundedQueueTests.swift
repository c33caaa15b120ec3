import XCTest
@testable import SyncCore

/// The bounded transfer queue: FIFO, back-pressure, close semantics, and exactly-once
/// delivery under contention. Every wait has a deadline, so a lost wake-up fails the test.
final class AsyncBoundedQueueTests: XCTestCase {
    func testFIFOWithinCapacity() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 4)
        let popped = await withDeadline(5) { () -> [Int?] in
            for i in 1...4 { await queue.push(i) }
            var out: [Int?] = []
            for _ in 1...4 { out.append(await queue.pop()) }
            return out
        }
        XCTAssertEqual(popped, [1, 2, 3, 4])
    }

    func testProducerBlocksWhenFullUntilAConsumerPops() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        let filled = await withDeadline(5) { await queue.push(1); await queue.push(2); return true }
        XCTAssertEqual(filled, true)
        let thirdPushed = Box<Bool>()
        Task { await queue.push(3); thirdPushed.set(true) }
        let blocked = await staysFalse(for: 0.15) { thirdPushed.isSet }
        XCTAssertTrue(blocked, "a push into a full queue returned without waiting")

        let first = await withDeadline(5) { await queue.pop() }
        XCTAssertEqual(first, .some(1))
        let released = await eventually { thirdPushed.isSet }
        XCTAssertTrue(released, "popping did not wake the waiting producer")
        let rest = await withDeadline(5) { [await queue.pop(), await queue.pop()] }
        XCTAssertEqual(rest, [2, 3])
    }

    func testSeveralBlockedProducersAreReleasedOneByOne() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 1)
        await queue.push(0)
        let done = Box<Int>(0)
        for i in 1...3 {
            Task {
                await queue.push(i)
                done.mutate { $0 = ($0 ?? 0) + 1 }
            }
        }
        let stillBlocked = await staysFalse(for: 0.1) { (done.get() ?? 0) > 0 }
        XCTAssertTrue(stillBlocked)
        let values = await withDeadline(5) { () -> [Int] in
            var out: [Int] = []
            for _ in 0..<4 { if let v = await queue.pop() { out.append(v) } }
            return out
        }
        XCTAssertEqual(values?.first, 0)
        XCTAssertEqual(values?.sorted(), [0, 1, 2, 3])
        let allReturned = await eventually { done.get() == 3 }
        XCTAssertTrue(allReturned)
    }

    func testWaitingConsumerReceivesTheNextPush() async {
        let queue = AsyncBoundedQueue<String>(capacity: 1)
        let received = Box<String>()
        Task { if let v = await queue.pop() { received.set(v) } }
        let waited = await staysFalse(for: 0.05) { received.isSet }
        XCTAssertTrue(waited)
        await queue.push("hello")
        let got = await eventually { received.get() == "hello" }
        XCTAssertTrue(got)
    }

    func testCloseWakesWaitingConsumersWithNil() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        let finished = Box<Int>(0)
        let results = Box<[Int?]>([])
        for _ in 0..<3 {
            Task {
                let v = await queue.pop()
                results.mutate { $0 = ($0 ?? []) + [v] }
                finished.mutate { $0 = ($0 ?? 0) + 1 }
            }
        }
        let waiting = await staysFalse(for: 0.1) { (finished.get() ?? 0) > 0 }
        XCTAssertTrue(waiting, "pop on an empty queue returned before close")
        queue.close()
        let woke = await eventually { finished.get() == 3 }
        XCTAssertTrue(woke, "close did not wake every waiting consumer")
        XCTAssertEqual(results.get()?.count, 3)
        XCTAssertEqual(results.get()?.allSatisfy { $0 == nil }, true)
    }

    func testCloseDrainsBufferedElementsThenGivesNil() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 4)
        let values = await withDeadline(5) { () -> [Int?] in
            await queue.push(1)
            await queue.push(2)
            queue.close()
            await queue.push(3) // dropped: the queue is closed
            return [await queue.pop(), await queue.pop(), await queue.pop(), await queue.pop()]
        }
        XCTAssertEqual(values, [1, 2, nil, nil])
    }

    func testCloseReleasesABlockedProducer() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 1)
        await queue.push(1)
        let returned = Box<Bool>()
        Task { await queue.push(2); returned.set(true) }
        let blocked = await staysFalse(for: 0.1) { returned.isSet }
        XCTAssertTrue(blocked)
        queue.close()
        let released = await eventually { returned.isSet }
        XCTAssertTrue(released, "close did not release the waiting producer")
        let rest = await withDeadline(5) { [await queue.pop(), await queue.pop()] }
        XCTAssertEqual(rest, [1, nil])
    }

    func testCapacityBelowOneActsAsOne() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 0)
        let first = await withDeadline(2) { await queue.push(7); return true }
        XCTAssertEqual(first, true, "capacity 0 must still hold one element")
        let secondPushed = Box<Bool>()
        Task { await queue.push(8); secondPushed.set(true) }
        let blocked = await staysFalse(for: 0.1) { secondPushed.isSet }
        XCTAssertTrue(blocked)
        let values = await withDeadline(5) { [await queue.pop(), await queue.pop()] }
        XCTAssertEqual(values, [7, 8])
    }

    func testManyProducersAndConsumersDeliverEveryElementExactlyOnce() async {
        let producers = 8, perProducer = 1_000, consumers = 4
        let queue = AsyncBoundedQueue<Int>(capacity: 3)
        let perConsumer = await withDeadline(30) { () -> [[Int]] in
            await withTaskGroup(of: [Int].self) { group in
                for _ in 0..<consumers {
                    group.addTask {
                        var got: [Int] = []
                        while let v = await queue.pop() { got.append(v) }
                        return got
                    }
                }
                group.addTask {
                    await withTaskGroup(of: Void.self) { group in
                        for p in 0..<producers {
                            group.addTask { for i in 0..<perProducer { await queue.push(p * perProducer + i) } }
                        }
                    }
                    queue.close()
                    return []
                }
                var all: [[Int]] = []
                for await part in group where !part.isEmpty { all.append(part) }
                return all
            }
        }
        guard let perConsumer else { return XCTFail("producers/consumers deadlocked") }
        let all = perConsumer.flatMap { $0 }
        XCTAssertEqual(all.count, producers * perProducer)
        XCTAssertEqual(all.sorted(), Array(0..<(producers * perProducer)))
        // FIFO: one consumer sees each producer's elements in the order they were pushed.
        for got in perConsumer {
            for p in 0..<producers {
                let mine = got.filter { $0 / perProducer == p }
                XCTAssertEqual(mine, mine.sorted(), "producer \(p)'s elements arrived out of order")
            }
        }
    }

    /// A queue that never runs dry (a walker ahead of the workers) lets go of what it handed
    /// out: it once kept every element until it was empty, which held each directory of an S3
    /// upload open (its descriptor in the jobs) until the end of the run.
    func testATakenElementIsReleasedWhileTheQueueStaysNonEmpty() async {
        final class Token: Sendable {}
        let queue = AsyncBoundedQueue<Token>(capacity: 8)
        var taken: [() -> Token?] = []
        await queue.push(Token())
        for _ in 0..<500 {
            await queue.push(Token())
            let token = await queue.pop()
            taken.append({ [weak token] in token })
        }
        let last = await queue.pop()
        XCTAssertNotNil(last, "one is still queued")
        let alive = taken.filter { $0() != nil }.count
        XCTAssertEqual(alive, 0, "\(alive) of 500 handed-out elements still held by the queue")
    }
}
