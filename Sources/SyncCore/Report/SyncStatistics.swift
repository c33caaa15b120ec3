import Synchronization
import SyncSystem

/// Counters for one run, updated from every worker thread.
public final class SyncStatistics: Sendable {
    public enum Counter: Int, CaseIterable, Sendable {
        case files, regularFiles, directories, symlinks, devices, specials
        case created, createdRegular, createdDirectories, createdSymlinks, createdDevices, createdSpecials
        case deleted, deletedRegular, deletedDirectories, deletedSymlinks, deletedDevices, deletedSpecials
        case regularTransferred, totalFileSize, transferredSize, literalData, matchedData
        case errors, vanished, deletionsSkipped
        /// Of the literal data, what came in rather than went out (downloads).
        case receivedData
    }

    private final class Cell: Sendable {
        let value = Atomic<Int64>(0)
    }

    private let values: [Cell]

    public init() {
        values = Counter.allCases.map { _ in Cell() }
    }

    @inline(__always)
    public func add(_ counter: Counter, _ amount: Int64 = 1) {
        values[counter.rawValue].value.add(amount, ordering: .relaxed)
    }

    public subscript(_ counter: Counter) -> Int64 {
        values[counter.rawValue].value.load(ordering: .relaxed)
    }

    /// Counts one source entry of the transfer by its kind.
    public func countSource(_ kind: FileKind) {
        add(.files)
        switch kind {
        case .regular: add(.regularFiles)
        case .directory: add(.directories)
        case .symlink: add(.symlinks)
        case .blockDevice, .characterDevice: add(.devices)
        case .fifo, .socket: add(.specials)
        }
    }

    public func countCreated(_ kind: FileKind) {
        add(.created)
        switch kind {
        case .regular: add(.createdRegular)
        case .directory: add(.createdDirectories)
        case .symlink: add(.createdSymlinks)
        case .blockDevice, .characterDevice: add(.createdDevices)
        case .fifo, .socket: add(.createdSpecials)
        }
    }

    public func countDeleted(_ kind: FileKind) {
        add(.deleted)
        switch kind {
        case .regular: add(.deletedRegular)
        case .directory: add(.deletedDirectories)
        case .symlink: add(.deletedSymlinks)
        case .blockDevice, .characterDevice: add(.deletedDevices)
        case .fifo, .socket: add(.deletedSpecials)
        }
    }
}
