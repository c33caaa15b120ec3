#if canImport(Glibc)
import Glibc
#endif
import SyncSystem
import AWSCore
import Provision

/// Time for the waiters: injected, so a test runs a ten-minute wait in no time and checks
/// every delay.
public protocol WaitClock: Sendable {
    /// Seconds on a monotonic clock.
    func now() -> Double
    func sleep(_ seconds: Double) async throws
}

public struct SystemWaitClock: WaitClock {
    public init() {}

    public func now() -> Double { SystemClock.monotonicSeconds() }

    public func sleep(_ seconds: Double) async throws { try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
}

/// A state a volume is waited into.
public enum WaitTarget: Sendable, Equatable, CustomStringConvertible {
    case available
    case attached(instanceID: String, device: String)
    case detached(instanceID: String)
    case deleted

    public var description: String {
        switch self {
        case .available: "available"
        case .attached(let instance, let device): "attached to \(instance) as \(device)"
        case .detached(let instance): "detached from \(instance)"
        case .deleted: "deleted"
        }
    }

    public enum Verdict: Sendable, Equatable {
        case done
        /// Not yet; the words say what it is now.
        case pending(String)
        /// It will never get there (the volume failed, or went elsewhere).
        case failed(String)
    }

    /// Where `volume` (nil: DescribeVolumes does not show it) stands against this target. Pure.
    public func verdict(_ volume: EC2Volume?) -> Verdict {
        switch self {
        case .available:
            guard let volume else { return .pending("not listed yet") }
            switch volume.state {
            case "available": return .done
            case "creating": return .pending("creating")
            case "in-use": return .failed("it is in use by \(volume.attachments.map(\.instanceID).joined(separator: ", "))")
            default: return .failed("its state is \(volume.state)")
            }
        case .attached(let instance, let device):
            guard let volume else { return .failed("it no longer exists") }
            if let other = volume.attachments.first(where: { $0.instanceID != instance && $0.state != "detached" }) {
                return .failed("it is attached to \(other.instanceID)")
            }
            guard let attachment = volume.attachment(to: instance) else { return .pending("not attached yet (\(volume.state))") }
            switch attachment.state {
            case "attached":
                return attachment.device == device ? .done : .failed("it is attached as \(attachment.device), not \(device)")
            case "attaching": return .pending("attaching")
            default: return .failed("its attachment is \(attachment.state)")
            }
        case .detached(let instance):
            guard let volume, let attachment = volume.attachment(to: instance), attachment.state != "detached" else { return .done }
            return .pending(attachment.state)
        case .deleted:
            guard let volume, volume.state != "deleted" else { return .done }
            return .pending(volume.state)
        }
    }
}

/// Polls a volume until it reaches a target: waits start at `initialDelay` and grow by
/// `factor` up to `maximumDelay`; past `timeout` seconds the wait fails (exit 30).
public struct VolumeWaiter: Sendable {
    public var initialDelay: Double
    public var factor: Double
    public var maximumDelay: Double
    public var timeout: Double
    let clock: any WaitClock

    public init(initialDelay: Double = 1, factor: Double = 1.5, maximumDelay: Double = 15, timeout: Double = 300,
                clock: any WaitClock = SystemWaitClock()) {
        self.initialDelay = initialDelay
        self.factor = factor
        self.maximumDelay = maximumDelay
        self.timeout = timeout
        self.clock = clock
    }

    /// The delay before poll number `attempt + 1`.
    public func delay(after attempt: Int) -> Double {
        min(maximumDelay, initialDelay * pow(factor, Double(attempt)))
    }

    /// Waits for `volumeID` to reach `target`; `describe` asks EC2 for it (nil: not listed).
    public func wait(for volumeID: String, until target: WaitTarget, describe: @Sendable () async throws -> EC2Volume?)
        async throws -> EC2Volume? {
        let start = clock.now()
        var attempt = 0
        while true {
            let volume = try await describe()
            switch target.verdict(volume) {
            case .done: return volume
            case .failed(let why): throw ProvisionError.failed("\(volumeID) will not become \(target): \(why)")
            case .pending(let now):
                let pause = delay(after: attempt)
                guard clock.now() - start + pause <= timeout else {
                    throw ProvisionError(.timeout, "\(volumeID) did not become \(target) within \(Int(timeout)) s (it is \(now))")
                }
                attempt += 1
                try await clock.sleep(pause)
            }
        }
    }
}
