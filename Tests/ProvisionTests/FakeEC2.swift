import Synchronization
import AWSCore
@testable import ProvisionEC2

/// An in-memory EC2 for the provisioner's tests: volumes, attachments and ClientToken
/// idempotency as EC2 documents them, with states that advance one step per DescribeVolumes
/// (creating → available, attaching → attached, …), a call log, and injected failures.
final class FakeEC2: EC2API, Sendable {
    struct State {
        var volumes: [String: EC2Volume] = [:]
        var tokens: [String: String] = [:]
        var calls: [String] = []
        var nextID = 1
        /// Call name → failures to throw, in order, for that call's next invocations (nil: pass).
        var failures: [String: [AWSError?]] = [:]
        /// AttachVolume succeeds on the server but its answer is lost (the client sees an error).
        var loseAttachAnswer = false
    }

    let state = Mutex(State())
    let instance = EC2Instance(instanceID: "i-0123", availabilityZone: "us-east-1a", state: "running")

    var calls: [String] { state.withLock { $0.calls } }
    var volumes: [EC2Volume] { state.withLock { $0.volumes.values.sorted { $0.volumeID < $1.volumeID } } }

    func fail(_ call: String, _ errors: [AWSError?]) { state.withLock { $0.failures[call] = errors } }

    private func enter(_ call: String) throws {
        let failure: AWSError? = state.withLock { s in
            s.calls.append(call)
            guard var queue = s.failures[call], !queue.isEmpty else { return nil }
            let next = queue.removeFirst()
            s.failures[call] = queue
            return next
        }
        if let failure { throw failure }
    }

    func describeInstance(_ instanceID: String) async throws -> EC2Instance {
        try enter("DescribeInstances")
        guard instanceID == instance.instanceID else {
            throw AWSError(operation: "DescribeInstances", status: 400, code: "InvalidInstanceID.NotFound", message: "no instance \(instanceID)")
        }
        return instance
    }

    func describeVolumes(ids: [String], filters: [EC2Query.Filter]) async throws -> [EC2Volume] {
        try enter("DescribeVolumes")
        return state.withLock { s in
            // Time passes between polls: every transitional state moves one step.
            for (id, var volume) in s.volumes {
                switch volume.state {
                case "creating": volume.state = "available"
                case "deleting": volume.state = "deleted"
                default: break
                }
                volume.attachments = volume.attachments.compactMap { a in
                    var a = a
                    if a.state == "attaching" { a.state = "attached" }
                    if a.state == "detaching" { return nil }
                    return a
                }
                if volume.state == "in-use" && volume.attachments.isEmpty { volume.state = "available" }
                s.volumes[id] = volume
            }
            return s.volumes.values.sorted { $0.volumeID < $1.volumeID }.filter { volume in
                (ids.isEmpty || ids.contains(volume.volumeID)) && volume.state != "deleted" && filters.allSatisfy { filter in
                    if filter.name.hasPrefix("tag:") { return filter.values.contains(volume.tags[String(filter.name.dropFirst(4))] ?? "\u{0}") }
                    if filter.name == "attachment.instance-id" { return volume.attachments.contains { filter.values.contains($0.instanceID) } }
                    return false
                }
            }
        }
    }

    func createVolume(_ request: CreateVolumeRequest) async throws -> EC2Volume {
        try enter("CreateVolume")
        return state.withLock { s in
            if let id = s.tokens[request.clientToken], let volume = s.volumes[id] { return volume }
            let id = "vol-\(s.nextID)"
            s.nextID += 1
            var tags: [String: String] = [:]
            for (key, value) in request.tags { tags[key] = value }
            let volume = EC2Volume(volumeID: id, sizeGiB: request.spec.sizeGiB, availabilityZone: request.availabilityZone, state: "creating",
                                   volumeType: request.spec.type, tags: tags)
            s.volumes[id] = volume
            s.tokens[request.clientToken] = id
            return volume
        }
    }

    func attachVolume(_ volumeID: String, instanceID: String, device: String) async throws -> EC2Attachment {
        try enter("AttachVolume")
        let lost = try state.withLock { s throws -> Bool in
            guard var volume = s.volumes[volumeID], volume.state == "available" else {
                throw AWSError(operation: "AttachVolume", status: 400, code: "IncorrectState", message: "\(volumeID) is not available")
            }
            volume.state = "in-use"
            volume.attachments = [EC2Attachment(volumeID: volumeID, instanceID: instanceID, device: device, state: "attaching")]
            s.volumes[volumeID] = volume
            return s.loseAttachAnswer
        }
        if lost { throw AWSError(operation: "AttachVolume", status: nil, code: nil, message: "connection reset") }
        return EC2Attachment(volumeID: volumeID, instanceID: instanceID, device: device, state: "attaching")
    }

    func detachVolume(_ volumeID: String, instanceID: String, device: String) async throws -> EC2Attachment {
        try enter("DetachVolume")
        return try state.withLock { s in
            guard var volume = s.volumes[volumeID], !volume.attachments.isEmpty else {
                throw AWSError(operation: "DetachVolume", status: 400, code: "IncorrectState", message: "\(volumeID) is not attached")
            }
            volume.attachments[0].state = "detaching"
            s.volumes[volumeID] = volume
            return volume.attachments[0]
        }
    }

    func deleteVolume(_ volumeID: String) async throws {
        try enter("DeleteVolume")
        try state.withLock { s in
            guard var volume = s.volumes[volumeID], volume.state == "available" else {
                throw AWSError(operation: "DeleteVolume", status: 400, code: "VolumeInUse", message: "\(volumeID) is in use")
            }
            volume.state = "deleting"
            s.volumes[volumeID] = volume
        }
    }
}

/// A clock that only moves when slept on: waits take no time, and every pause is recorded.
final class FakeClock: WaitClock, Sendable {
    private let state = Mutex((now: 0.0, sleeps: [Double]()))
    var sleeps: [Double] { state.withLock { $0.sleeps } }
    func now() -> Double { state.withLock { $0.now } }
    func sleep(_ seconds: Double) async throws { state.withLock { $0.now += seconds; $0.sleeps.append(seconds) } }
}
