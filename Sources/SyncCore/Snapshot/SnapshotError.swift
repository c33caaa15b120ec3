import SyncSystem
/// Why a snapshot run or listing stopped, in one line.
public enum SnapshotError: Error, CustomStringConvertible, Equatable {
    /// `--retain`/`--level` make no sense (a usage error).
    case invalidRetain(String)
    /// The rotation journal is not one this program wrote.
    case corruptJournal(String)
    /// The snapshot root is not in a state a rotation leaves.
    case inconsistent(String)
    /// A system call failed.
    case fileSystem(FileSystemError)

    public var description: String {
        switch self {
        case .invalidRetain(let message): message
        case .corruptJournal(let message): "the rotation journal \(RotationJournal.fileName) is unreadable (\(message)); nothing was renamed: look at it, then remove it"
        case .inconsistent(let message): "\(message); the snapshot root was changed by something else, nothing more was renamed"
        case .fileSystem(let error): error.description
        }
    }
}
