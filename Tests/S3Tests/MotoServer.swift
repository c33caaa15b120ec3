import Foundation
import XCTest
@testable import AWSCore
@testable import S3

/// A `moto_server` (a local S3 and EC2 API) on a free loopback port for one test case, and the
/// `aws` CLI pointed at it as the oracle. Missing tools fail the test loudly.
final class MotoServer {
    let port: Int
    private let process: Process
    var endpointURL: String { "http://127.0.0.1:\(port)" }
    static let credentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing-secret", source: "tests")

    init() throws {
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !Self.accepts(port) {
            guard process.isRunning else { throw XCTSkipFailure("moto_server did not start (make test installs it: pip install 'moto[server]')") }
            guard Date() < deadline else { throw XCTSkipFailure("moto_server did not answer on port \(port) within 30 s") }
            usleep(100_000)
        }
    }

    deinit {
        // moto_server's web server outlives SIGTERM while requests linger: end it for sure.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func client(retries: Int = 2) throws -> S3Client {
        S3Client(endpoint: try S3Endpoint(region: "us-east-1", endpointURL: endpointURL), credentials: Self.credentials,
                 retry: RetryPolicy(retries: retries, baseDelay: 0.01))
    }

    /// Runs the aws CLI against this server; returns stdout (fails the test on a non-zero exit).
    @discardableResult
    func aws(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["aws", "--endpoint-url", endpointURL, "--region", "us-east-1", "--output", "json"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = Self.credentials.accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = Self.credentials.secretAccessKey
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            XCTFail("aws \(arguments.joined(separator: " ")) exited \(p.terminationStatus): \(String(decoding: errors, as: UTF8.self))",
                    file: file, line: line)
        }
        return String(decoding: data, as: UTF8.self)
    }

    func awsJSON(_ arguments: [String]) throws -> [String: Any] {
        let text = try aws(arguments)
        if text.isEmpty { return [:] }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw XCTSkipFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A setup failure that must fail (not skip) the test.
struct XCTSkipFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `fault_proxy.py` between a client and moto_server: injects 5xx answers, dropped connections
/// and cut answers by plan (see the script). The proxy's request log is in `log()`.
final class FaultProxy {
    let port: Int
    private let process: Process
    private let output = Pipe()
    var endpointURL: String { "http://127.0.0.1:\(port)" }

    init(upstream: MotoServer, plan: String) throws {
        port = try MotoServer.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fault_proxy.py").path
        process.arguments = ["python3", script, String(port), upstream.endpointURL, plan]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while !MotoServer.accepts(port) {
            guard process.isRunning, Date() < deadline else { throw XCTSkipFailure("fault_proxy.py did not start") }
            usleep(50_000)
        }
    }

    func client(retries: Int) throws -> S3Client {
        S3Client(endpoint: try S3Endpoint(region: "us-east-1", endpointURL: endpointURL), credentials: MotoServer.credentials,
                 retry: RetryPolicy(retries: retries, baseDelay: 0.01, maximumDelay: 0.1))
    }

    /// The faults the proxy injected so far, one per request ("1 PUT /b ok").
    func log() -> [String] {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0 != "ready" }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A file in the temporary directory holding `contents`, open for reading; removed on deinit.
final class TemporaryFile {
    let path: String
    let fd: Int32

    init(_ contents: Data) {
        path = NSTemporaryDirectory() + "s3tests-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: contents)
        fd = open(path, O_RDONLY)
    }

    deinit {
        close(fd)
        try? FileManager.default.removeItem(atPath: path)
    }
}
