import ArgumentParser
import AWSCore
import Provision
import ProvisionEC2
import SwiftsyncCLI
import SyncCore

/// `swiftsync ebs create-volumes|list`: EBS volumes for this instance, over EC2's API.
struct EBSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ebs",
        abstract: "Create and attach EBS volumes for this instance; list its volumes.",
        subcommands: [EBSCreateVolumesCommand.self, EBSListCommand.self]
    )
}

/// Where and as whom the EC2 calls go.
struct AWSConnectionArguments: ParsableArguments {
    @Option(help: ArgumentHelp("AWS region (default: AWS_REGION, the profile's, the instance's, else us-east-1).", valueName: "REGION")) var region: String?
    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("EC2 endpoint (e.g. http://127.0.0.1:5000).", valueName: "URL")) var endpointURL: String?
    @Option(help: ArgumentHelp("Profile in ~/.aws/credentials and ~/.aws/config.", valueName: "NAME")) var profile: String?
    @Option(name: .customLong("access-key"), help: ArgumentHelp("AWS access key id.", valueName: "KEY")) var accessKey: String?
    @Option(name: .customLong("secret-key"), help: ArgumentHelp("AWS secret access key.", valueName: "SECRET")) var secretKey: String?
    @Option(help: ArgumentHelp("Retries per EC2 request.", valueName: "N")) var retries: Int = 5
    @Flag(help: "One JSON object on stdout; step lines go to stderr.") var json = false

    func connect() async throws(ProvisionError) -> EC2Connection {
        try await EC2Connection.open(chain: CredentialChain(accessKey: accessKey, secretKey: secretKey, profile: profile, region: region),
                                     endpointURL: endpointURL, retries: retries)
    }
}

struct EBSCreateVolumesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-volumes",
        abstract: "Create COUNT volumes (idempotent: a re-run finds them), attach them, print device → volume.",
        usage: "swiftsync ebs create-volumes --count 2 --size GIB [--type gp3] [--iops N] [--throughput N] [--encrypted] [--kms-key-id ID] [--instance-id ID] [--availability-zone AZ] [--devices /dev/sdf,/dev/sdg] [--tag KEY=VALUE] [--json]"
    )

    @Option(help: ArgumentHelp("How many volumes.", valueName: "N")) var count: Int = 2
    @Option(help: ArgumentHelp("Size of each, in GiB.", valueName: "GIB")) var size: Int
    @Option(help: ArgumentHelp("gp3, gp2, io1, io2, st1, sc1 or standard.", valueName: "TYPE")) var type: String = "gp3"
    @Option(help: ArgumentHelp("Provisioned IOPS (gp3, io1, io2).", valueName: "N")) var iops: Int?
    @Option(help: ArgumentHelp("Throughput in MiB/s (gp3).", valueName: "N")) var throughput: Int?
    @Flag(help: "Encrypt the volumes (with the account's default key unless --kms-key-id).") var encrypted = false
    @Option(name: .customLong("kms-key-id"), help: ArgumentHelp("KMS key for encryption (implies --encrypted).", valueName: "ID")) var kmsKeyID: String?
    @Option(name: .customLong("instance-id"), help: ArgumentHelp("The instance (default: this one, from instance metadata).", valueName: "ID")) var instanceID: String?
    @Option(name: .customLong("availability-zone"), help: ArgumentHelp("Must be the instance's zone (the default).", valueName: "AZ")) var availabilityZone: String?
    @Option(help: ArgumentHelp("Device names, comma-separated (default /dev/sdf, /dev/sdg, ...).", valueName: "LIST")) var devices: String?
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("A tag for the volumes (repeatable).", valueName: "KEY=VALUE")) var tag: [String] = []
    @Flag(name: .customLong("keep-on-failure"), help: "Keep what this run created when a later step fails (default: detach and delete it).") var keepOnFailure = false
    @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Seconds to wait for each volume state.", valueName: "SECONDS")) var waitTimeout: Int = 300
    @OptionGroup var aws: AWSConnectionArguments

    func run() async throws {
        do throws(ProvisionError) {
            let spec = try VolumeSpec(sizeGiB: size, type: type, iops: iops, throughput: throughput, encrypted: encrypted, kmsKeyID: kmsKeyID)
            let tags = try tag.map { item throws(ProvisionError) in
                guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw .usage("invalid --tag \"\(item)\": KEY=VALUE") }
                let key = String(item[..<eq])
                guard !key.lowercased().hasPrefix("aws:"), !key.hasPrefix("swiftsync:") else { throw .usage("--tag \(key): the aws: and swiftsync: prefixes are reserved") }
                return (key, String(item[item.index(after: eq)...]))
            }
            guard (1...86_400).contains(waitTimeout) else { throw .usage("--wait-timeout must be between 1 and 86400 seconds") }
            let log = ProvisionOutput.steps(json: aws.json)
            let connection = try await aws.connect()
            let instance = try await InstanceLocator.instanceID(flag: instanceID, metadata: connection.metadata, log: log)
            let request = VolumeRequest(count: count, spec: spec, instanceID: instance, availabilityZone: availabilityZone,
                                        devices: devices.map { $0.split(separator: ",").map(String.init) }, tags: tags, keepOnFailure: keepOnFailure)
            let provisioner = VolumeProvisioner(api: connection.client, waiter: VolumeWaiter(timeout: Double(waitTimeout)), log: log)
            let (found, volumes) = try await provisioner.run(request)
            await connection.client.shutdown()
            ProvisionOutput.result(EBSReport.lines(volumes), json: aws.json ? EBSReport.json(instance: found, volumes: volumes) : nil)
        } catch {
            try ProvisionOutput.fail(error)
        }
    }
}

struct EBSListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the volumes attached to the instance.")

    @Option(name: .customLong("instance-id"), help: ArgumentHelp("The instance (default: this one, from instance metadata).", valueName: "ID")) var instanceID: String?
    @OptionGroup var aws: AWSConnectionArguments

    func run() async throws {
        do throws(ProvisionError) {
            let log = ProvisionOutput.steps(json: aws.json)
            let connection = try await aws.connect()
            let instance = try await InstanceLocator.instanceID(flag: instanceID, metadata: connection.metadata, log: log)
            let attached = try await EBSReport.attached(to: instance, api: connection.client)
            await connection.client.shutdown()
            let lines = attached.isEmpty ? ["no volumes attached to \(instance)"] : EBSReport.lines(attached)
            ProvisionOutput.result(lines, json: aws.json ? EBSReport.json(instanceID: instance, attached: attached) : nil)
        } catch {
            try ProvisionOutput.fail(error)
        }
    }
}
