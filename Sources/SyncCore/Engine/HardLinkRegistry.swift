import Synchronization
import SyncSystem

/// `-H`: remembers source files with several links by (device, inode). The first path seen
/// of a group is its leader and is transferred; the others become hard links to the leader's
/// destination once it is complete. This map is the one structure that grows with the tree
/// (only with `-H`, and only by multiply-linked files), as in rsync.
final class HardLinkRegistry: Sendable {
    struct Key: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
    }

    /// A path that waits for its leader.
    struct Follower: Sendable {
        let node: DirectoryNode
        let sourceDirectory: DirectoryRef
        let entry: FileEntry
        let existing: FileEntry?
    }

    enum Claim {
        case leader
        /// The leader is complete at this path (relative to the destination root).
        case linkTo([UInt8])
        /// The leader is still being transferred; the follower was queued.
        case queued
        /// The leader failed: transfer this one on its own.
        case transferAlone
    }

    private struct Group {
        var leaderPath: [UInt8]
        var state: State
        var waiters: [Follower] = []
        enum State { case inProgress, done, failed }
    }

    private let groups = Mutex<[Key: Group]>([:])

    /// Names `path` the leader of its group unless the group already has one.
    func prefer(_ status: FileStatus, path: [UInt8]) {
        let key = Key(device: status.device, inode: status.inode)
        groups.withLock { map in
            if map[key] == nil { map[key] = Group(leaderPath: path, state: .inProgress) }
        }
    }

    func claim(_ status: FileStatus, path: [UInt8], follower: @autoclosure () -> Follower) -> Claim {
        let key = Key(device: status.device, inode: status.inode)
        return groups.withLock { map -> Claim in
            guard var group = map[key] else {
                map[key] = Group(leaderPath: path, state: .inProgress)
                return .leader
            }
            if group.leaderPath == path && group.state == .inProgress { return .leader }
            switch group.state {
            case .done: return .linkTo(group.leaderPath)
            case .failed: return .transferAlone
            case .inProgress:
                group.waiters.append(follower())
                map[key] = group
                return .queued
            }
        }
    }

    /// The leader finished (`succeeded` or not); returns its path and the waiting followers.
    func complete(_ status: FileStatus, succeeded: Bool) -> (leaderPath: [UInt8], waiters: [Follower]) {
        let key = Key(device: status.device, inode: status.inode)
        return groups.withLock { map in
            guard var group = map[key] else { return ([], []) }
            group.state = succeeded ? .done : .failed
            let waiters = group.waiters
            group.waiters = []
            map[key] = group
            return (group.leaderPath, waiters)
        }
    }
}
