// swift-tools-version: 6.1
// Micro benchmarks of swiftsync's delta kernels (rolling checksum, signature, delta, patch) with
// package-benchmark. A package of its own so the root package does not depend on the benchmark
// tooling; it uses the root package's `SyncCore` library product through a path dependency.
//
//   cd Benchmarks/Kernels && ./run.sh            # table of median wall time and GB/s
//   swift package benchmark                      # package-benchmark's own report
import PackageDescription

let package = Package(
    name: "Kernels",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `name:` so that `package: "swiftsync"` below works whatever the checkout's directory is
        // called (a path dependency's identity is its directory name, e.g. "main").
        .package(name: "swiftsync", path: "../.."),
        // ordo-one/benchmark (formerly package-benchmark). Only the "MallocInterposer" trait:
        // this replaces the default traits, which also hold "RuntimeInterposer", whose package
        // (swift-runtime-interposer) is not among this machine's local packages.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Kernels",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SyncCore", package: "swiftsync"),
            ],
            path: "Benchmarks/Kernels",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
