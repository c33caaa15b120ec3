#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// A run lock: an exclusive `flock` on a lock file, held for the life of the process (the
/// kernel drops it when the process ends, however it ends, so a crashed run never leaves a
/// stale lock). A second run waits up to a deadline, then gives up without touching anything.
///
/// The lock file is created if missing and never removed: removing it would let a third run
/// lock a new file while the second still waits on the old one. The holder writes its pid into
/// it so that the one that gives up can say who holds it.
public final class RunLock: Sendable {
    /// The lock file as given.
    public let path: String
    private let descriptor: Int32

    /// Why a lock was not taken.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// Another run held it for the whole wait.
        case busy(path: String, waited: Double, holder: Int32?)
        /// The lock file could not be opened or locked.
        case unusable(FileSystemError)

        public var description: String {
            switch self {
            case let .busy(path, waited, holder):
                let who = holder.map { " (pid \($0))" } ?? ""
                let wait = waited <= 0 ? "did not wait (--lock-wait 0)" : "gave up after waiting \(RunLock.format(seconds: waited))"
                return "another run holds the lock \(path)\(who); \(wait)"
            case let .unusable(error):
                return "cannot use the lock file: \(error)"
            }
        }
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { FileSystem.close(descriptor) }

    /// Takes the lock on `path`, waiting up to `wait` seconds (0: not at all) while another run
    /// holds it, checking every `pollInterval` seconds.
    public static func acquire(path: String, wait: Double, pollInterval: Double = 0.1) throws(Failure) -> RunLock {
        let fd: Int32
        do {
            fd = try FileSystem.open(Array(path.utf8), in: FileSystem.currentDirectory, flags: O_RDWR | O_CREAT, mode: 0o644, path: path)
        } catch {
            throw .unusable(error)
        }
        let started = SystemClock.monotonicSeconds()
        while true {
            let locked: Bool
            do {
                locked = try FileSystem.tryLockExclusive(fd, path: path)
            } catch {
                FileSystem.close(fd)
                throw .unusable(error)
            }
            if locked { break }
            let waited = SystemClock.monotonicSeconds() - started
            guard waited < wait else {
                let holder = try? FileSystem.readSmallFile(fd, limit: 32, path: path)
                FileSystem.close(fd)
                throw .busy(path: path, waited: wait, holder: holder.flatMap(pid(in:)))
            }
            SystemClock.sleep(seconds: min(pollInterval, wait - waited))
        }
        let lock = RunLock(path: path, descriptor: fd)
        lock.recordHolder()
        return lock
    }

    /// Writes this process's pid into the lock file (best effort: it is only for messages).
    private func recordHolder() {
        try? FileSystem.truncate(descriptor, to: 0, path: path)
        try? FileSystem.writeAll(descriptor, Array("\(SystemProcess.id)\n".utf8), path: path)
    }

    /// The pid the holder wrote, if the file holds one of a living process: a holder that has
    /// died left its pid behind for whoever holds the lock now (flock(1) writes none).
    static func pid(in bytes: [UInt8]) -> Int32? {
        guard let pid = Int32(String(decoding: bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)),
              SystemProcess.isRunning(pid) else { return nil }
        return pid
    }

    static func format(seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\((seconds * 10).rounded() / 10) s"
    }
}
