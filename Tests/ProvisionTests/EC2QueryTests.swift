import XCTest
import AWSCore
@testable import ProvisionEC2

/// Request builders and response parsers, pure.
final class EC2QueryTests: XCTestCase {
    func testCreateVolumeRequest() throws {
        let spec = try VolumeSpec(sizeGiB: 100, type: "gp3", iops: 4000, throughput: 250, kmsKeyID: "alias/backups")
        let query = EC2Query.createVolume(CreateVolumeRequest(spec: spec, availabilityZone: "us-east-1a", clientToken: "swiftsync-abc-0",
                                                              tags: [("swiftsync:spec", "abc"), ("Name", "backups a/b=c")]))
        XCTAssertEqual(query.formBody, "Action=CreateVolume&Version=2016-11-15&AvailabilityZone=us-east-1a&Size=100&VolumeType=gp3&Iops=4000"
                       + "&Throughput=250&Encrypted=true&KmsKeyId=alias%2Fbackups&ClientToken=swiftsync-abc-0&TagSpecification.1.ResourceType=volume"
                       + "&TagSpecification.1.Tag.1.Key=swiftsync%3Aspec&TagSpecification.1.Tag.1.Value=abc"
                       + "&TagSpecification.1.Tag.2.Key=Name&TagSpecification.1.Tag.2.Value=backups%20a%2Fb%3Dc")
        let plain = EC2Query.createVolume(CreateVolumeRequest(spec: try VolumeSpec(sizeGiB: 8, type: "gp2"), availabilityZone: "eu-west-1b",
                                                              clientToken: "t", tags: []))
        XCTAssertEqual(plain.formBody, "Action=CreateVolume&Version=2016-11-15&AvailabilityZone=eu-west-1b&Size=8&VolumeType=gp2&ClientToken=t")
    }

    func testOtherRequests() {
        XCTAssertEqual(EC2Query.attachVolume("vol-1", instanceID: "i-2", device: "/dev/sdf").formBody,
                       "Action=AttachVolume&Version=2016-11-15&VolumeId=vol-1&InstanceId=i-2&Device=%2Fdev%2Fsdf")
        XCTAssertEqual(EC2Query.detachVolume("vol-1", instanceID: "i-2", device: "/dev/sdf").parameters.map(\.0), ["VolumeId", "InstanceId", "Device"])
        XCTAssertEqual(EC2Query.deleteVolume("vol-1").formBody, "Action=DeleteVolume&Version=2016-11-15&VolumeId=vol-1")
        XCTAssertEqual(EC2Query.describeVolumes(ids: ["vol-1", "vol-2"], filters: [.init("tag:swiftsync:spec", ["a", "b"]), .init("status", ["available"])],
                                                nextToken: "n+1").formBody,
                       "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-1&VolumeId.2=vol-2&Filter.1.Name=tag%3Aswiftsync%3Aspec"
                       + "&Filter.1.Value.1=a&Filter.1.Value.2=b&Filter.2.Name=status&Filter.2.Value.1=available&NextToken=n%2B1")
        XCTAssertEqual(EC2Query.describeInstances(ids: ["i-2"]).formBody, "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-2")
    }

    func testParsesVolumes() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>r</requestId>
              <volumeSet>
                <item>
                  <volumeId>vol-1234567890abcdef0</volumeId><size>100</size><snapshotId/><availabilityZone>us-east-1a</availabilityZone>
                  <status>in-use</status><createTime>2024-05-01T00:00:00.000Z</createTime>
                  <attachmentSet><item><volumeId>vol-1234567890abcdef0</volumeId><instanceId>i-0123</instanceId><device>/dev/sdf</device>
                    <status>attached</status><attachTime>2024-05-01T00:00:10.000Z</attachTime><deleteOnTermination>false</deleteOnTermination></item></attachmentSet>
                  <tagSet><item><key>swiftsync:spec</key><value>abc</value></item><item><key>Name</key><value>a &amp; b</value></item></tagSet>
                  <volumeType>gp3</volumeType><iops>3000</iops><throughput>125</throughput><encrypted>true</encrypted>
                </item>
                <item><volumeId>vol-2</volumeId><size>8</size><availabilityZone>us-east-1a</availabilityZone><status>creating</status>
                  <attachmentSet/><volumeType>gp2</volumeType><encrypted>false</encrypted></item>
              </volumeSet>
              <nextToken>page-2</nextToken>
            </DescribeVolumesResponse>
            """
        let page = try EC2Volume.page(try XMLNode.parse(xml))
        XCTAssertEqual(page.nextToken, "page-2")
        XCTAssertEqual(page.volumes, [
            EC2Volume(volumeID: "vol-1234567890abcdef0", sizeGiB: 100, availabilityZone: "us-east-1a", state: "in-use", volumeType: "gp3", iops: 3000,
                      throughput: 125, encrypted: true,
                      attachments: [EC2Attachment(volumeID: "vol-1234567890abcdef0", instanceID: "i-0123", device: "/dev/sdf", state: "attached")],
                      tags: ["swiftsync:spec": "abc", "Name": "a & b"]),
            EC2Volume(volumeID: "vol-2", sizeGiB: 8, availabilityZone: "us-east-1a", state: "creating", volumeType: "gp2"),
        ])
        XCTAssertNil(try EC2Volume.page(try XMLNode.parse("<DescribeVolumesResponse><volumeSet/><nextToken/></DescribeVolumesResponse>")).nextToken)
        XCTAssertThrowsError(try EC2Volume.page(try XMLNode.parse("<CreateVolumeResponse/>")))
    }

    func testParsesCreateAttachAndInstances() throws {
        let created = try EC2Volume(try XMLNode.parse("""
            <CreateVolumeResponse><requestId>r</requestId><volumeId>vol-9</volumeId><size>100</size><availabilityZone>us-east-1a</availabilityZone>
            <status>creating</status><volumeType>gp3</volumeType><iops>3000</iops><encrypted>false</encrypted>
            <tagSet><item><key>k</key><value>v</value></item></tagSet></CreateVolumeResponse>
            """))
        XCTAssertEqual(created, EC2Volume(volumeID: "vol-9", sizeGiB: 100, availabilityZone: "us-east-1a", state: "creating", volumeType: "gp3",
                                          iops: 3000, tags: ["k": "v"]))
        XCTAssertThrowsError(try EC2Volume(try XMLNode.parse("<CreateVolumeResponse><size>1</size></CreateVolumeResponse>")))
        let attachment = try EC2Attachment(try XMLNode.parse("""
            <AttachVolumeResponse><volumeId>vol-9</volumeId><instanceId>i-1</instanceId><device>/dev/sdf</device><status>attaching</status></AttachVolumeResponse>
            """))
        XCTAssertEqual(attachment, EC2Attachment(volumeID: "vol-9", instanceID: "i-1", device: "/dev/sdf", state: "attaching"))
        let instances = try EC2Instance.list(try XMLNode.parse("""
            <DescribeInstancesResponse><reservationSet><item><reservationId>r-1</reservationId><instancesSet>
              <item><instanceId>i-1</instanceId><placement><availabilityZone>eu-west-1c</availabilityZone></placement>
                <instanceState><code>16</code><name>running</name></instanceState>
                <networkInterfaceSet><item><attachment><status>attached</status></attachment></item></networkInterfaceSet></item>
            </instancesSet></item></reservationSet></DescribeInstancesResponse>
            """))
        XCTAssertEqual(instances, [EC2Instance(instanceID: "i-1", availabilityZone: "eu-west-1c", state: "running")])
    }

    func testVolumeSpecLimits() {
        let cases: [(() throws -> VolumeSpec, String)] = [
            ({ try VolumeSpec(sizeGiB: 0) }, "--size 0 is out of range for gp3: 1-16384 GiB"),
            ({ try VolumeSpec(sizeGiB: 100, type: "gp4") }, "invalid --type \"gp4\""),
            ({ try VolumeSpec(sizeGiB: 100, type: "gp2", iops: 3000) }, "--iops is not available for gp2"),
            ({ try VolumeSpec(sizeGiB: 100, iops: 100) }, "--iops 100 is out of range for gp3: 3000-16000"),
            ({ try VolumeSpec(sizeGiB: 100, type: "io2") }, "io2 volumes need --iops"),
            ({ try VolumeSpec(sizeGiB: 100, type: "io1", iops: 1000, throughput: 200) }, "--throughput is only available for gp3"),
            ({ try VolumeSpec(sizeGiB: 100, throughput: 2000) }, "--throughput 2000 is out of range"),
            ({ try VolumeSpec(sizeGiB: 100, type: "st1") }, "--size 100 is out of range for st1: 125-16384"),
        ]
        for (make, expected) in cases {
            XCTAssertThrowsError(try make(), expected) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        }
        XCTAssertEqual(try VolumeSpec(sizeGiB: 10, kmsKeyID: "k").encrypted, true, "a key implies encryption")
        XCTAssertEqual(try VolumeSpec(sizeGiB: 10, type: "io2", iops: 5000, encrypted: true).summary, "10 GiB io2, 5000 IOPS, encrypted")
    }

    func testVolumeIdentityIsDeterministicAndCoversEveryField() throws {
        let spec = try VolumeSpec(sizeGiB: 100)
        func identity(instance: String = "i-1", device: String = "/dev/sdf", zone: String = "us-east-1a", spec: VolumeSpec? = nil,
                      tags: [(String, String)] = [("a", "1"), ("b", "2")]) -> String {
            VolumeIdentity(instanceID: instance, device: device, availabilityZone: zone, spec: spec ?? (try! VolumeSpec(sizeGiB: 100)), tags: tags).digest
        }
        let base = identity()
        XCTAssertEqual(base.count, 32)
        XCTAssertEqual(base, identity(tags: [("b", "2"), ("a", "1")]), "tag order does not matter")
        let others = [identity(instance: "i-2"), identity(device: "/dev/sdg"), identity(zone: "us-east-1b"), identity(spec: try VolumeSpec(sizeGiB: 101)),
                      identity(spec: try VolumeSpec(sizeGiB: 100, type: "gp2")), identity(spec: try VolumeSpec(sizeGiB: 100, iops: 4000)),
                      identity(spec: try VolumeSpec(sizeGiB: 100, encrypted: true)), identity(tags: [("a", "1")]), identity(tags: [("a", "1"), ("b", "3")]),
                      identity(tags: [("a", "1\ntag:b=2")])]
        XCTAssertEqual(Set(others + [base]).count, others.count + 1, "every field changes the digest")
        let token = VolumeIdentity(instanceID: "i-1", device: "/dev/sdf", availabilityZone: "us-east-1a", spec: spec, tags: []).clientToken(generation: 0)
        XCTAssertTrue(token.hasPrefix("swiftsync-") && token.hasSuffix("-0") && token.count <= 64, token)
    }
}
