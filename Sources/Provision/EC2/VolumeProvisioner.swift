import AWSCore
import Provision

/// What `ebs create-volumes` is asked for, after parsing.
public struct VolumeRequest: Sendable {
    public var count: Int
    public var spec: VolumeSpec
    public var instanceID: String
    public var availabilityZone: String?
    public var devices: [String]?
    public var tags: [(String, String)]
    public var keepOnFailure: Bool

    public init(count: Int, spec: VolumeSpec, instanceID: String, availabilityZone: String? = nil, devices: [String]? = nil,
                tags: [(String, String)] = [], keepOnFailure: Bool = false) {
        self.count = count
        self.spec = spec
        self.instanceID = instanceID
        self.availabilityZone = availabilityZone
        self.devices = devices
        self.tags = tags
        self.keepOnFailure = keepOnFailure
    }
}

/// One volume of the result: the device → volume mapping the command prints.
public struct ProvisionedVolume: Sendable, Equatable {
    public var device: String
    public var volumeID: String
    public var sizeGiB: Int
    public var volumeType: String
    public var availabilityZone: String
    /// Made by this run (false: found from an earlier run).
    public var created: Bool
}

/// `ebs create-volumes`: for each device, find the volume an earlier run made for it (by its
/// ``VolumeIdentity`` tag) or create it (with the identity as ClientToken), wait until it is
/// available, attach it, wait until it is attached. When a step fails, what this run did is
/// undone in reverse order — attachments detached, created volumes deleted — unless
/// `keepOnFailure`; volumes found from earlier runs are never deleted.
public struct VolumeProvisioner: Sendable {
    let api: any EC2API
    let waiter: VolumeWaiter
    let log: StepLog

    public init(api: any EC2API, waiter: VolumeWaiter = VolumeWaiter(), log: StepLog) {
        self.api = api
        self.waiter = waiter
        self.log = log
    }

    /// What this run changed, for the rollback.
    enum Action: Equatable {
        case created(volumeID: String)
        case attached(volumeID: String, device: String)
    }

    public func run(_ request: VolumeRequest) async throws(ProvisionError) -> (instance: EC2Instance, volumes: [ProvisionedVolume]) {
        let devices = try Self.devices(for: request)
        log("looking up instance \(request.instanceID)")
        let instance = try await ec2 { try await api.describeInstance(request.instanceID) }
        guard ["running", "stopped", "pending"].contains(instance.state) else {
            throw .usage("instance \(instance.instanceID) is \(instance.state): volumes can only be attached to a running or stopped instance")
        }
        let zone = request.availabilityZone ?? instance.availabilityZone
        guard zone == instance.availabilityZone else {
            throw .usage("--availability-zone \(zone) is not the instance's zone (\(instance.instanceID) is in \(instance.availabilityZone)): a volume attaches only within its zone")
        }
        // Which volume holds each device now (DescribeVolumes, not the instance's block device
        // mapping: that one lags behind attachments).
        log("looking up the volumes attached to \(instance.instanceID) and those earlier runs made for \(devices.joined(separator: ", "))")
        let attached = try await ec2 {
            try await api.describeVolumes(ids: [], filters: [EC2Query.Filter("attachment.instance-id", [instance.instanceID])])
        }
        var occupants: [String: String] = [:]
        for volume in attached {
            if let attachment = volume.attachment(to: instance.instanceID), attachment.state != "detached" {
                occupants[EBSDeviceResolver.ebsName(attachment.device) ?? attachment.device] = volume.volumeID
            }
        }
        // Every check first, so that bad input is refused before anything is created.
        var slots: [Slot] = []
        for device in devices {
            let identity = VolumeIdentity(instanceID: instance.instanceID, device: device, availabilityZone: zone, spec: request.spec,
                                          tags: request.tags)
            slots.append(try await slot(device: device, identity: identity, instanceID: instance.instanceID,
                                        occupant: occupants[EBSDeviceResolver.ebsName(device) ?? device]))
        }
        var actions: [Action] = []
        var results: [ProvisionedVolume] = []
        do {
            for (index, slot) in slots.enumerated() {
                log("volume \(index + 1) of \(slots.count) for \(slot.device): \(request.spec.summary) in \(zone)")
                results.append(try await realize(slot, instanceID: instance.instanceID, zone: zone, request: request, actions: &actions))
            }
        } catch {
            throw await rollBack(actions, instanceID: instance.instanceID, after: error, keep: request.keepOnFailure)
        }
        return (instance, results)
    }

    /// One device's volume, before anything is done: the volume an earlier run made for it, if any.
    struct Slot {
        var device: String
        var identity: VolumeIdentity
        var existing: EC2Volume?
    }

    /// The devices to use: as given, else `/dev/sdf`, `/dev/sdg`… (fixed, so a re-run asks for the same).
    static func devices(for request: VolumeRequest) throws(ProvisionError) -> [String] {
        guard (1...11).contains(request.count) else { throw .usage("--count must be between 1 and 11") }
        let devices = request.devices ?? (0..<request.count).map { "/dev/sd" + String(UnicodeScalar(UInt8(ascii: "f") + UInt8($0))) }
        guard devices.count == request.count else {
            throw .usage("--devices names \(devices.count) devices but --count is \(request.count)")
        }
        for device in devices {
            let name = device.dropFirst("/dev/".count)
            let letters = name.hasPrefix("xvd") ? name.dropFirst(3) : name.hasPrefix("sd") ? name.dropFirst(2) : ""
            guard device.hasPrefix("/dev/"), (1...2).contains(letters.count), letters.allSatisfy({ ("a"..."z").contains($0) }) else {
                throw .usage("invalid device \"\(device)\": expected a name such as /dev/sdf or /dev/xvdf")
            }
        }
        if Set(devices).count != devices.count { throw .usage("--devices names a device twice") }
        return devices
    }

    /// Finds the volume an earlier run made for `device`, and refuses a device that something
    /// else holds or a volume that went elsewhere.
    private func slot(device: String, identity: VolumeIdentity, instanceID: String, occupant: String?) async throws(ProvisionError) -> Slot {
        let filters = [EC2Query.Filter("tag:\(VolumeIdentity.specTag)", [identity.digest])]
        let found = try await ec2 { try await api.describeVolumes(ids: [], filters: filters) }
            .filter { !["deleting", "deleted", "error"].contains($0.state) }
        guard found.count <= 1 else {
            throw .failed("several volumes carry \(VolumeIdentity.specTag)=\(identity.digest) (\(found.map(\.volumeID).joined(separator: ", "))): delete the extra ones")
        }
        if let occupant, occupant != found.first?.volumeID {
            throw .usage("\(device) on \(instanceID) is taken by \(occupant): choose other --devices")
        }
        if let existing = found.first, let other = existing.attachments.first(where: { $0.state != "detached" }),
           !(other.instanceID == instanceID && Self.sameDevice(other.device, device)) {
            throw .usage("\(existing.volumeID), made for \(device) by an earlier run, is attached to \(other.instanceID) as \(other.device)")
        }
        return Slot(device: device, identity: identity, existing: found.first)
    }

    /// Creates (or reuses), attaches and waits for one volume, recording what it changed.
    private func realize(_ slot: Slot, instanceID: String, zone: String, request: VolumeRequest, actions: inout [Action])
        async throws(ProvisionError) -> ProvisionedVolume {
        let device = slot.device
        var volume: EC2Volume
        var created = false
        if let existing = slot.existing {
            volume = existing
            if let attachment = existing.attachment(to: instanceID), attachment.state == "attached" {
                log("ok: \(existing.volumeID) (from an earlier run) is attached to \(instanceID) as \(device)")
                return ProvisionedVolume(device: device, volumeID: existing.volumeID, sizeGiB: existing.sizeGiB, volumeType: existing.volumeType,
                                         availabilityZone: existing.availabilityZone, created: false)
            }
            log("found \(existing.volumeID) (\(existing.state)) from an earlier run")
        } else {
            volume = try await create(identity: slot.identity, zone: zone, request: request, device: device, instanceID: instanceID)
            actions.append(.created(volumeID: volume.volumeID))
            created = true
        }
        if volume.attachment(to: instanceID) == nil {
            log("waiting for \(volume.volumeID) to become available")
            volume = try await wait(volume.volumeID, until: .available) ?? volume
            log("attaching \(volume.volumeID) to \(instanceID) as \(device)")
            try await attach(volume.volumeID, instanceID: instanceID, device: device)
            actions.append(.attached(volumeID: volume.volumeID, device: device))
        }
        log("waiting for \(volume.volumeID) to be attached")
        volume = try await wait(volume.volumeID, until: .attached(instanceID: instanceID, device: device)) ?? volume
        return ProvisionedVolume(device: device, volumeID: volume.volumeID, sizeGiB: volume.sizeGiB, volumeType: volume.volumeType,
                                 availabilityZone: volume.availabilityZone, created: created)
    }

    /// CreateVolume with the identity's token; a token whose volume is gone moves to the next generation.
    private func create(identity: VolumeIdentity, zone: String, request: VolumeRequest, device: String, instanceID: String)
        async throws(ProvisionError) -> EC2Volume {
        let tags = [(VolumeIdentity.specTag, identity.digest), (VolumeIdentity.deviceTag, device), (VolumeIdentity.instanceTag, instanceID)]
            + request.tags
        for generation in 0..<5 {
            let token = identity.clientToken(generation: generation)
            log("creating a volume (client token \(token))")
            let create = CreateVolumeRequest(spec: request.spec, availabilityZone: zone, clientToken: token, tags: tags)
            do {
                let volume = try await api.createVolume(create)
                if !["deleting", "deleted", "error"].contains(volume.state) {
                    log("created \(volume.volumeID)")
                    return volume
                }
                log("client token \(token) belongs to \(volume.volumeID), which is \(volume.state): trying the next one")
            } catch let error as AWSError where error.code == "IdempotentParameterMismatch" {
                log("client token \(token) was used with other parameters: trying the next one")
            } catch {
                throw Self.converted(error)
            }
        }
        throw .failed("CreateVolume: five client tokens for \(device) were all used up by deleted volumes")
    }

    /// AttachVolume; when it fails, the volume is looked at again: an attempt whose answer was
    /// lost may have attached it after all.
    private func attach(_ volumeID: String, instanceID: String, device: String) async throws(ProvisionError) {
        do {
            _ = try await api.attachVolume(volumeID, instanceID: instanceID, device: device)
        } catch {
            let attached = (try? await api.describeVolumes(ids: [volumeID], filters: []))?.first?.attachment(to: instanceID)
            if let attached, Self.sameDevice(attached.device, device), ["attaching", "attached"].contains(attached.state) { return }
            throw Self.converted(error)
        }
    }

    func wait(_ volumeID: String, until target: WaitTarget) async throws(ProvisionError) -> EC2Volume? {
        let api = self.api
        do {
            return try await waiter.wait(for: volumeID, until: target) { try await api.describeVolumes(ids: [volumeID], filters: []).first }
        } catch {
            throw Self.converted(error)
        }
    }

    /// Runs one EC2 call, its failure as a ``ProvisionError``.
    func ec2<T>(_ body: () async throws -> T) async throws(ProvisionError) -> T {
        do { return try await body() } catch { throw Self.converted(error) }
    }

    /// `/dev/sdf`, `sdf` and `/dev/xvdf` name the same attachment point.
    static func sameDevice(_ a: String, _ b: String) -> Bool {
        (EBSDeviceResolver.ebsName(a) ?? a) == (EBSDeviceResolver.ebsName(b) ?? b)
    }
}
