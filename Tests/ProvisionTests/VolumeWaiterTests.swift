import XCTest
import Synchronization
@testable import Provision
@testable import ProvisionEC2

final class VolumeWaiterTests: XCTestCase {
    static func volume(_ state: String, _ attachments: [EC2Attachment] = []) -> EC2Volume {
        EC2Volume(volumeID: "vol-1", sizeGiB: 1, availabilityZone: "z", state: state, volumeType: "gp3", attachments: attachments)
    }

    func attachment(_ instance: String = "i-1", _ device: String = "/dev/sdf", state: String) -> EC2Attachment {
        EC2Attachment(volumeID: "vol-1", instanceID: instance, device: device, state: state)
    }

    func testVerdicts() {
        let attached = WaitTarget.attached(instanceID: "i-1", device: "/dev/sdf")
        let table: [(WaitTarget, EC2Volume?, WaitTarget.Verdict)] = [
            (.available, nil, .pending("not listed yet")),
            (.available, Self.volume("creating"), .pending("creating")),
            (.available, Self.volume("available"), .done),
            (.available, Self.volume("error"), .failed("its state is error")),
            (.available, Self.volume("in-use", [attachment("i-9", "/dev/sdx", state: "attached")]), .failed("it is in use by i-9")),
            (attached, Self.volume("available"), .pending("not attached yet (available)")),
            (attached, Self.volume("in-use", [attachment(state: "attaching")]), .pending("attaching")),
            (attached, Self.volume("in-use", [attachment(state: "attached")]), .done),
            (attached, Self.volume("in-use", [attachment("i-1", "/dev/sdg", state: "attached")]), .failed("it is attached as /dev/sdg, not /dev/sdf")),
            (attached, Self.volume("in-use", [attachment("i-2", "/dev/sdf", state: "attached")]), .failed("it is attached to i-2")),
            (attached, nil, .failed("it no longer exists")),
            (.detached(instanceID: "i-1"), Self.volume("in-use", [attachment(state: "detaching")]), .pending("detaching")),
            (.detached(instanceID: "i-1"), Self.volume("available"), .done),
            (.detached(instanceID: "i-1"), nil, .done),
            (.deleted, Self.volume("deleting"), .pending("deleting")),
            (.deleted, Self.volume("deleted"), .done),
            (.deleted, nil, .done),
        ]
        for (target, volume, expected) in table {
            XCTAssertEqual(target.verdict(volume), expected, "\(target) \(volume?.state ?? "nil")")
        }
    }

    func testBacksOffThenTimesOut() async {
        let clock = FakeClock()
        let waiter = VolumeWaiter(initialDelay: 1, factor: 2, maximumDelay: 5, timeout: 20, clock: clock)
        XCTAssertEqual((0..<5).map(waiter.delay(after:)), [1, 2, 4, 5, 5])
        let polls = Mutex(0)
        do {
            _ = try await waiter.wait(for: "vol-1", until: .available) {
                polls.withLock { $0 += 1 }
                return Self.volume("creating")
            }
            XCTFail("it never becomes available")
        } catch {
            XCTAssertEqual(error as? ProvisionError, ProvisionError(.timeout, "vol-1 did not become available within 20 s (it is creating)"))
            XCTAssertEqual((error as? ProvisionError)?.exitCode.rawValue, 30)
        }
        XCTAssertEqual(clock.sleeps, [1, 2, 4, 5, 5], "the next 5 s would pass the limit")
        XCTAssertEqual(polls.withLock { $0 }, 6)
    }

    func testReturnsWhenDoneAndStopsOnFailure() async throws {
        let clock = FakeClock()
        let waiter = VolumeWaiter(initialDelay: 1, factor: 1.5, maximumDelay: 15, timeout: 300, clock: clock)
        let states = Mutex(["creating", "creating", "available"])
        let done = try await waiter.wait(for: "vol-1", until: .available) { Self.volume(states.withLock { $0.removeFirst() }) }
        XCTAssertEqual(done?.state, "available")
        XCTAssertEqual(clock.sleeps, [1, 1.5])
        do {
            _ = try await waiter.wait(for: "vol-1", until: .available) { Self.volume("error") }
            XCTFail("error is final")
        } catch {
            XCTAssertEqual("\(error)", "vol-1 will not become available: its state is error")
        }
    }
}
