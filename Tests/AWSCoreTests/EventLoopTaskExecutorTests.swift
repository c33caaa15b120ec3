import XCTest
import NIOCore
import NIOPosix
@testable import AWSCore

final class EventLoopTaskExecutorTests: XCTestCase {
    /// A task that prefers the executor starts on its loop and resumes there after every
    /// suspension (a sleep, a future completed on the loop); outside it, it is elsewhere.
    func testTasksRunAndResumeOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let seen = await withTaskExecutorPreference(EventLoopTaskExecutor(loop: loop)) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            try? await Task.sleep(nanoseconds: 1_000_000)
            seen.append(loop.inEventLoop)
            _ = try? await loop.scheduleTask(in: .milliseconds(1)) { 1 }.futureResult.get()
            seen.append(loop.inEventLoop)
            return seen
        }
        XCTAssertEqual(seen, [true, true, true])
        XCTAssertFalse(loop.inEventLoop)
        try await group.shutdownGracefully()
    }
}
