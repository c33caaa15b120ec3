import Synchronization
import SyncSystem

/// The `-i`/`-v` lines of a hard-link group whose names are all new, held back until every
/// name has been linked, so that the name shown as carrying the data is the one rsync shows:
/// the group's last name in rsync's transfer order (a directory's files before the contents
/// of its subdirectories, depth first). Which name the data really went to does not matter —
/// every name is the same inode — but scripts compare these lines with rsync's.
final class HardLinkItemizer: Sendable {
    private struct Group {
        var paths: [[UInt8]]
        let expected: Int
    }

    private let groups = Mutex<[HardLinkRegistry.Key: Group]>([:])

    /// The leader of `status`'s group was new: hold its line.
    func startGroup(_ status: FileStatus, leaderPath: [UInt8]) -> (carrier: [UInt8], others: [[UInt8]])? {
        add(status, path: leaderPath, create: true)
    }

    /// A new follower was linked; `false` when its group is not held (print it at once).
    func addFollower(_ status: FileStatus, path: [UInt8]) -> (held: Bool, complete: (carrier: [UInt8], others: [[UInt8]])?) {
        let key = HardLinkRegistry.Key(device: status.device, inode: status.inode)
        guard groups.withLock({ $0[key] != nil }) else { return (false, nil) }
        return (true, add(status, path: path, create: false))
    }

    /// Groups whose other names never showed up (outside the transfer, or failed).
    func flush() -> [(carrier: [UInt8], others: [[UInt8]])] {
        groups.withLock { map in
            defer { map.removeAll() }
            return map.values.map { Self.attribute($0.paths) }
        }
    }

    private func add(_ status: FileStatus, path: [UInt8], create: Bool) -> (carrier: [UInt8], others: [[UInt8]])? {
        let key = HardLinkRegistry.Key(device: status.device, inode: status.inode)
        return groups.withLock { map in
            var group = map[key] ?? Group(paths: [], expected: Int(status.linkCount))
            if map[key] == nil && !create { return nil }
            group.paths.append(path)
            if group.paths.count >= group.expected {
                map[key] = nil
                return Self.attribute(group.paths)
            }
            map[key] = group
            return nil
        }
    }

    private static func attribute(_ paths: [[UInt8]]) -> (carrier: [UInt8], others: [[UInt8]]) {
        let ordered = paths.sorted(by: inTransferOrder)
        return (ordered.last!, Array(ordered.dropLast()))
    }

    /// rsync's transfer order for two file paths: at the first differing component, a file of
    /// that directory comes before anything in a subdirectory; otherwise names compare as bytes.
    static func inTransferOrder(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let slash = UInt8(ascii: "/")
        let ac = a.split(separator: slash, omittingEmptySubsequences: false)
        let bc = b.split(separator: slash, omittingEmptySubsequences: false)
        for i in 0..<min(ac.count, bc.count) where !ac[i].elementsEqual(bc[i]) {
            let aIsFile = i == ac.count - 1, bIsFile = i == bc.count - 1
            if aIsFile != bIsFile { return aIsFile }
            return compareNames(Array(ac[i]), Array(bc[i])) < 0
        }
        return ac.count < bc.count
    }
}
