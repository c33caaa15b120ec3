// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swiftsync",
    products: [
        .executable(name: "swiftsync", targets: ["swiftsync"]),
        .executable(name: "swiftsync-s3", targets: ["swiftsync-s3"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash",
                       providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CSyncSystem", path: "Sources/CSyncSystem"),
        // Every libc call of the project, typed and with EINTR handled once (as swift-system
        // stands apart from its users): descriptors, files, directories, processes, clocks, signals.
        .target(name: "SyncSystem", dependencies: ["CSyncSystem"]),
        .target(
            name: "SyncCore",
            dependencies: [
                "CXXHash", "CZlib", "SyncSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AWSCore",
            dependencies: [
                "SyncSystem",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "S3",
            dependencies: [
                "AWSCore", "SyncCore", "SyncSystem", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The host side of provisioning (RAID1, cron files, the command runner): no HTTP, so
        // `swiftsync` links it. EC2 (in Provision/EC2) is its own target, linked by swiftsync-s3.
        .target(name: "Provision", dependencies: ["SyncCore", "SyncSystem"], exclude: ["EC2"]),
        .target(
            name: "ProvisionEC2",
            dependencies: [
                "AWSCore", "Provision", "SyncCore", "SyncSystem",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Provision/EC2"
        ),
        .target(
            name: "SwiftsyncCLI",
            dependencies: [
                "SyncCore", "SyncSystem", "Provision",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Local syncs and delta files: no HTTP/TLS stack linked in.
        .executableTarget(name: "swiftsync", dependencies: ["SwiftsyncCLI", "SyncSystem"]),
        // The same command line plus S3; `swiftsync` runs it for s3:// arguments.
        .executableTarget(
            name: "swiftsync-s3",
            dependencies: [
                "SwiftsyncCLI", "SyncCore", "SyncSystem", "S3", "AWSCore", "ProvisionEC2", "Provision",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The backend conformance suite every Backend passes (SyncCoreTests: local and dry run;
        // S3Tests: S3 on moto_server).
        .target(name: "BackendConformance", dependencies: ["SyncCore", "SyncSystem"], path: "Tests/BackendConformance"),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "SyncSystem", "BackendConformance"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "S3Tests", dependencies: ["S3", "AWSCore", "SyncSystem", "BackendConformance"]),
        .testTarget(name: "ProvisionTests", dependencies: ["Provision", "ProvisionEC2", "AWSCore", "SyncCore", "SyncSystem"]),
        .testTarget(name: "swiftsyncTests", dependencies: ["SwiftsyncCLI"]),
        // One function per parser of outside input: fuzzed by `make fuzz`, and every saved
        // input under fixtures/fuzz/ replayed by FuzzTargetsTests in `make test`.
        .target(name: "FuzzTargets", dependencies: ["SyncCore", "AWSCore", "S3"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
    ]
)

// `make fuzz` only (SWIFTSYNC_FUZZ=1, in .build-fuzz): the libFuzzer executable (Fuzz/).
if Context.environment["SWIFTSYNC_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "swiftsync-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz"))
}
