import XCTest
import AWSCore
@testable import Provision
@testable import ProvisionEC2

/// The provisioner against the in-memory EC2: idempotent re-runs, the rollback, and the
/// cases real EC2 shows rarely (a lost answer, a used-up client token).
final class VolumeProvisionerTests: XCTestCase {
    func provisioner(_ ec2: FakeEC2, _ lines: LineCollector = LineCollector()) -> VolumeProvisioner {
        VolumeProvisioner(api: ec2, waiter: VolumeWaiter(initialDelay: 1, timeout: 60, clock: FakeClock()), log: lines.log)
    }

    /// The error `body` ends with (a test failure when it ends well).
    func failure(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> ProvisionError {
        do {
            try await body()
            XCTFail("expected a failure", file: file, line: line)
        } catch let error as ProvisionError {
            return error
        } catch {
            XCTFail("not a ProvisionError: \(error)", file: file, line: line)
        }
        return ProvisionError.failed("none")
    }

    func request(keep: Bool = false, devices: [String]? = nil) throws -> VolumeRequest {
        VolumeRequest(count: 2, spec: try VolumeSpec(sizeGiB: 100), instanceID: "i-0123", devices: devices, tags: [("Name", "backups")],
                      keepOnFailure: keep)
    }

    func testCreatesAndAttachesThenReRunFindsTheSame() async throws {
        let ec2 = FakeEC2()
        let lines = LineCollector()
        let (instance, volumes) = try await provisioner(ec2, lines).run(try request())
        XCTAssertEqual(instance.availabilityZone, "us-east-1a")
        XCTAssertEqual(volumes.map(\.device), ["/dev/sdf", "/dev/sdg"])
        XCTAssertEqual(volumes.map(\.created), [true, true])
        XCTAssertEqual(ec2.volumes.map { $0.attachments.map(\.state) }, [["attached"], ["attached"]])
        XCTAssertEqual(ec2.volumes.map { $0.tags[VolumeIdentity.deviceTag] }, ["/dev/sdf", "/dev/sdg"])
        XCTAssertEqual(ec2.volumes.map { $0.tags["Name"] }, ["backups", "backups"])
        XCTAssertEqual(lines.lines.filter { $0.hasPrefix("attaching") }, ["attaching vol-1 to i-0123 as /dev/sdf", "attaching vol-2 to i-0123 as /dev/sdg"])
        XCTAssertEqual(lines.lines.first, "looking up instance i-0123")

        let before = ec2.calls.count
        let again = try await provisioner(ec2).run(try request())
        XCTAssertEqual(again.volumes.map(\.volumeID), volumes.map(\.volumeID))
        XCTAssertEqual(again.volumes.map(\.created), [false, false])
        XCTAssertFalse(ec2.calls[before...].contains { $0 == "CreateVolume" || $0 == "AttachVolume" }, "a re-run changes nothing")
        XCTAssertEqual(ec2.volumes.count, 2)
    }

    func testFailureOnTheSecondAttachRollsBackWhatThisRunDid() async throws {
        let ec2 = FakeEC2()
        ec2.fail("AttachVolume", [nil, AWSError(operation: "AttachVolume", status: 400, code: "AttachmentLimitExceeded", message: "too many volumes")])
        let lines = LineCollector()
        let error = await failure { _ = try await provisioner(ec2, lines).run(try request()) }
        XCTAssertEqual(error.kind, .failed)
        XCTAssertEqual(error.message, "AttachVolume failed: HTTP 400 AttachmentLimitExceeded: too many volumes; rolled back: deleted vol-2, detached vol-1, deleted vol-1")
        XCTAssertEqual(ec2.volumes.map(\.state), ["deleted", "deleted"], "nothing this run made is left")
        XCTAssertEqual(lines.lines.filter { $0.hasPrefix("rolling back") },
                       ["rolling back: deleting vol-2", "rolling back: detaching vol-1 from i-0123 (/dev/sdf)", "rolling back: deleting vol-1"])
    }

    func testKeepOnFailureKeepsWhatWasCreated() async throws {
        let ec2 = FakeEC2()
        ec2.fail("AttachVolume", [nil, AWSError(operation: "AttachVolume", status: 400, code: "AttachmentLimitExceeded", message: "too many volumes")])
        let error = await failure { _ = try await provisioner(ec2).run(try request(keep: true)) }
        XCTAssertTrue(error.message.hasSuffix("; kept vol-1, vol-2 (created by this run) as --keep-on-failure asks"), error.message)
        XCTAssertEqual(ec2.volumes.map(\.state), ["in-use", "available"])
    }

    func testRollBackLeavesEarlierRunsVolumesAlone() async throws {
        let ec2 = FakeEC2()
        _ = try await provisioner(ec2).run(VolumeRequest(count: 1, spec: try VolumeSpec(sizeGiB: 100), instanceID: "i-0123", tags: [("Name", "backups")]))
        ec2.fail("CreateVolume", [AWSError(operation: "CreateVolume", status: 400, code: "VolumeLimitExceeded", message: "quota")])
        let error = await failure { _ = try await provisioner(ec2).run(try request()) }
        XCTAssertEqual(error.message, "CreateVolume failed: HTTP 400 VolumeLimitExceeded: quota")
        XCTAssertEqual(ec2.volumes.map(\.state), ["in-use"], "the first run's volume stays attached")
    }

    func testBadInputIsRefusedBeforeAnythingIsCreated() async throws {
        let ec2 = FakeEC2()
        _ = try await provisioner(ec2).run(VolumeRequest(count: 1, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-0123", devices: ["/dev/sdg"]))
        let before = ec2.calls.count
        let error = await failure { _ = try await provisioner(ec2).run(try request()) }
        XCTAssertEqual(error, ProvisionError.usage("/dev/sdg on i-0123 is taken by vol-1: choose other --devices"))
        XCTAssertFalse(ec2.calls[before...].contains("CreateVolume"))
        for (request, expected) in [
            (VolumeRequest(count: 2, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-0123", availabilityZone: "us-east-1b"),
             "--availability-zone us-east-1b is not the instance's zone"),
            (VolumeRequest(count: 2, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-0123", devices: ["/dev/sdf"]), "--devices names 1 devices but --count is 2"),
            (VolumeRequest(count: 1, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-0123", devices: ["/dev/nvme1n1"]), "invalid device \"/dev/nvme1n1\""),
            (VolumeRequest(count: 2, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-0123", devices: ["/dev/sdh", "/dev/sdh"]), "--devices names a device twice"),
            (VolumeRequest(count: 0, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-0123"), "--count must be between 1 and 11"),
        ] {
            let error = await failure { _ = try await provisioner(ec2).run(request) }
            XCTAssertTrue(error.message.hasPrefix(expected), error.message)
            XCTAssertEqual(error.kind, .usage)
        }
        let missing = await failure { _ = try await provisioner(ec2).run(VolumeRequest(count: 1, spec: try VolumeSpec(sizeGiB: 5), instanceID: "i-9")) }
        XCTAssertEqual(missing, ProvisionError.failed("DescribeInstances failed: HTTP 400 InvalidInstanceID.NotFound: no instance i-9"))
        XCTAssertEqual(ec2.volumes.count, 1)
    }

    func testLostAttachAnswerAndUsedUpTokens() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.loseAttachAnswer = true }
        let (_, volumes) = try await provisioner(ec2).run(try request())
        XCTAssertEqual(volumes.count, 2, "the attach went through although its answer was lost")
        XCTAssertEqual(ec2.calls.filter { $0 == "AttachVolume" }.count, 2)

        // Volumes deleted by hand: EC2 still answers their tokens with them, so a re-run moves on.
        ec2.state.withLock { s in
            for id in s.volumes.keys { s.volumes[id]?.state = "deleted"; s.volumes[id]?.attachments = [] }
            s.loseAttachAnswer = false
        }
        let lines = LineCollector()
        let (_, fresh) = try await provisioner(ec2, lines).run(try request())
        XCTAssertEqual(fresh.map(\.volumeID), ["vol-3", "vol-4"])
        XCTAssertTrue(lines.lines.contains { $0.contains("-0 belongs to vol-1, which is deleted: trying the next one") }, "\(lines.lines)")
        XCTAssertTrue(lines.lines.contains { $0.hasPrefix("creating a volume (client token swiftsync-") && $0.hasSuffix("-1)") })
    }

    func testUnreachableEndpointIsItsOwnKind() async throws {
        let ec2 = FakeEC2()
        ec2.fail("DescribeInstances", [AWSError(operation: "DescribeInstances", status: nil, code: nil, message: "no answer from 127.0.0.1:9")])
        let error = await failure { _ = try await provisioner(ec2).run(try request()) }
        XCTAssertEqual(error.kind, .unreachable)
        XCTAssertEqual(error.exitCode.rawValue, 10)
    }

    func testReports() {
        let volumes = [ProvisionedVolume(device: "/dev/sdf", volumeID: "vol-1", sizeGiB: 100, volumeType: "gp3", availabilityZone: "us-east-1a", created: true),
                       ProvisionedVolume(device: "/dev/sdg", volumeID: "vol-22", sizeGiB: 100, volumeType: "gp3", availabilityZone: "us-east-1a", created: false)]
        XCTAssertEqual(EBSReport.lines(volumes), ["/dev/sdf  vol-1   100 GiB gp3  us-east-1a  created", "/dev/sdg  vol-22  100 GiB gp3  us-east-1a  existing"])
        let instance = EC2Instance(instanceID: "i-1", availabilityZone: "us-east-1a", state: "running")
        XCTAssertEqual(EBSReport.json(instance: instance, volumes: Array(volumes.prefix(1))).serialized,
                       "{\"instance_id\": \"i-1\", \"availability_zone\": \"us-east-1a\", \"volumes\": [{\"device\": \"/dev/sdf\", \"volume_id\": \"vol-1\", "
                       + "\"size_gib\": 100, \"type\": \"gp3\", \"availability_zone\": \"us-east-1a\", \"state\": \"attached\", \"created\": true}]}")
    }
}
