import AWSCore
import Provision

extension VolumeProvisioner {
    /// Undoes `actions` newest first, then returns the error to report: the original one, with
    /// what was rolled back, kept or left behind.
    func rollBack(_ actions: [Action], instanceID: String, after error: any Error, keep: Bool) async -> ProvisionError {
        let original = Self.converted(error)
        let created = actions.compactMap { if case .created(let id) = $0 { id } else { nil } }
        if keep || actions.isEmpty {
            let kept = created.isEmpty ? "" : "; kept \(created.joined(separator: ", ")) (created by this run) as --keep-on-failure asks"
            return ProvisionError(original.kind, original.message + kept)
        }
        var undone: [String] = []
        var left: [String] = []
        for action in actions.reversed() {
            switch action {
            case .attached(let volumeID, let device):
                log("rolling back: detaching \(volumeID) from \(instanceID) (\(device))")
                do {
                    _ = try await api.detachVolume(volumeID, instanceID: instanceID, device: device)
                    _ = try await wait(volumeID, until: .detached(instanceID: instanceID))
                    undone.append("detached \(volumeID)")
                } catch {
                    left.append("\(volumeID) still attached (\(Self.converted(error).message))")
                }
            case .created(let volumeID):
                log("rolling back: deleting \(volumeID)")
                do {
                    try await api.deleteVolume(volumeID)
                    _ = try await wait(volumeID, until: .deleted)
                    undone.append("deleted \(volumeID)")
                } catch {
                    left.append("\(volumeID) not deleted (\(Self.converted(error).message))")
                }
            }
        }
        let summary = left.isEmpty ? "; rolled back: \(undone.joined(separator: ", "))"
                                   : "; rollback incomplete: \(left.joined(separator: "; "))" + (undone.isEmpty ? "" : " (\(undone.joined(separator: ", ")))")
        return ProvisionError(original.kind, original.message + summary)
    }

    static func converted(_ error: any Error) -> ProvisionError {
        switch error {
        case let error as ProvisionError: return error
        case let error as AWSError: return ProvisionError(error.isTransportFailure ? .unreachable : .failed, error.description)
        case is CancellationError: return .failed("interrupted")
        default: return .failed("\(error)")
        }
    }
}
