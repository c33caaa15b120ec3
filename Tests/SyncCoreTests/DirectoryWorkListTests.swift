import XCTest
@testable import SyncCore

/// The walkers' work list: LIFO, and "done" only when nothing is queued or in progress.
final class DirectoryWorkListTests: XCTestCase {
    private func node(_ path: String, parent: DirectoryNode? = nil) -> DirectoryNode {
        DirectoryNode(relativePath: b(path), parent: parent, sourceName: b(path), destinationName: b(path),
                      sourceEntry: nil, deleteAllowed: false, isNew: false)
    }

    private func name(_ node: DirectoryNode?) -> String? {
        node.map { String(decoding: $0.relativePath, as: UTF8.self) }
    }

    func testPopOnAnEmptyListEndsTheWalkAtOnce() async {
        let list = DirectoryWorkList()
        let result = await withDeadline(2) { await list.pop() == nil }
        XCTAssertEqual(result, true)
    }

    func testLastInFirstOut() async {
        let list = DirectoryWorkList()
        list.push(node("a"))
        list.push(node("b"))
        list.push(node("c"))
        let order = await withDeadline(2) { () -> [String?] in
            var out: [String?] = []
            for _ in 0..<3 {
                let n = await list.pop()
                out.append(n.map { String(decoding: $0.relativePath, as: UTF8.self) })
            }
            return out
        }
        XCTAssertEqual(order, ["c", "b", "a"])
    }

    func testPopWaitsWhileWorkIsOutstandingAndEndsWhenTheLastFinishes() async {
        let list = DirectoryWorkList()
        list.push(node("root"))
        let root = await withDeadline(2) { await list.pop() }
        XCTAssertEqual(name(root ?? nil), "root")

        // Nothing queued, but "root" is in progress: a second walker must wait, not stop.
        let firstWaiter = Box<String>()
        Task { let n = await list.pop(); firstWaiter.set(n.map { String(decoding: $0.relativePath, as: UTF8.self) } ?? "<nil>") }
        let waited = await staysFalse(for: 0.1) { firstWaiter.isSet }
        XCTAssertTrue(waited, "pop returned while a directory was still being walked")

        // The walker of "root" finds a child: the waiting walker gets it.
        list.push(node("root/child"))
        let handedOver = await eventually { firstWaiter.get() == "root/child" }
        XCTAssertTrue(handedOver, "a waiting walker did not receive the pushed directory (got \(firstWaiter.get() ?? "nothing"))")

        list.finished() // root
        let secondWaiter = Box<String>()
        Task { let n = await list.pop(); secondWaiter.set(n.map { String(decoding: $0.relativePath, as: UTF8.self) } ?? "<nil>") }
        let stillWaiting = await staysFalse(for: 0.1) { secondWaiter.isSet }
        XCTAssertTrue(stillWaiting, "the walk ended while root/child was outstanding")

        list.finished() // root/child
        let ended = await eventually { secondWaiter.get() == "<nil>" }
        XCTAssertTrue(ended, "finishing the last directory did not end the walk for the waiting walker")
        let after = await withDeadline(2) { await list.pop() == nil }
        XCTAssertEqual(after, true)
    }

    func testCancelDropsQueuedWorkAndWakesWaiters() async {
        let list = DirectoryWorkList()
        list.push(node("a"))
        _ = await withDeadline(2) { await list.pop() }
        let waiter = Box<Bool>()
        Task { let n = await list.pop(); waiter.set(n == nil) }
        let waiting = await staysFalse(for: 0.05) { waiter.isSet }
        XCTAssertTrue(waiting)
        list.cancel()
        let woke = await eventually { waiter.get() == true }
        XCTAssertTrue(woke, "cancel did not wake the waiting walker with nil")

        list.push(node("late"))
        let afterCancel = await withDeadline(2) { await list.pop() == nil }
        XCTAssertEqual(afterCancel, true, "a cancelled list must not hand out more work")
    }

    func testCancelDropsQueuedDirectories() async {
        let list = DirectoryWorkList()
        list.push(node("a"))
        list.push(node("b"))
        list.cancel()
        let result = await withDeadline(2) { await list.pop() == nil }
        XCTAssertEqual(result, true)
    }

    /// A simulated walk: each directory above depth 4 has three children. Several walkers
    /// must visit every directory exactly once and all stop when the walk is complete.
    func testConcurrentWalkersVisitEveryDirectoryOnce() async {
        let list = DirectoryWorkList()
        list.push(node(""))
        let visited = await withDeadline(20) { () -> [String] in
            await withTaskGroup(of: [String].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        var seen: [String] = []
                        while let n = await list.pop() {
                            let path = String(decoding: n.relativePath, as: UTF8.self)
                            seen.append(path)
                            let depth = path.isEmpty ? 0 : path.split(separator: "/").count
                            if depth < 4 {
                                for i in 0..<3 {
                                    let child = path.isEmpty ? "\(i)" : path + "/\(i)"
                                    list.push(DirectoryNode(relativePath: b(child), parent: n, sourceName: b("\(i)"),
                                                            destinationName: b("\(i)"), sourceEntry: nil, deleteAllowed: false, isNew: false))
                                }
                            }
                            await Task.yield()
                            list.finished()
                        }
                        return seen
                    }
                }
                var all: [String] = []
                for await part in group { all += part }
                return all
            }
        }
        guard let visited else { return XCTFail("walkers did not all stop (lost wake-up or miscount)") }
        XCTAssertEqual(visited.count, 1 + 3 + 9 + 27 + 81)
        XCTAssertEqual(Set(visited).count, visited.count, "a directory was handed out twice")
        XCTAssertTrue(visited.contains("2/1/0/2"))
    }
}
