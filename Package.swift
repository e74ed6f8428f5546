// swift-tools-version: 6.0
import PackageDescription

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")

let package = Package(
    name: "pavepkg",
    products: [
        .library(name: "PaveKit", targets: ["PaveKit"]),
        .executable(name: "pavepkg", targets: ["pavepkg"]),
        .executable(name: "pavepkg-bench", targets: ["pavepkg-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries from Debian (see README: apt-get install libzstd-dev libopenblas-dev libsqlite3-dev).
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Layer 1: the container (dtypes, codecs, safetensors, .pave v1).
        .target(name: "PaveFormat", dependencies: ["CZstd", crypto]),
        // Layer 2: patch semantics, base-model signatures, PAVE checkpoint import/export.
        .target(name: "PaveModel", dependencies: ["PaveFormat", crypto]),
        // Layer 3: the fp32 executor and the composer.
        .target(name: "PaveExecutor", dependencies: ["PaveFormat", "PaveModel", "COpenBLAS"]),
        .target(name: "PaveCompose", dependencies: ["PaveFormat", "PaveModel", "PaveExecutor"]),
        // Layer 4: the local registry.
        .target(name: "PaveRegistry", dependencies: ["PaveFormat", "PaveModel", "PaveExecutor", "CSQLite", crypto]),
        // Layer 4: sharing patches through OCI registries (push, pull, login), on top of the local registry.
        .target(name: "PaveRemote", dependencies: ["PaveFormat", "PaveModel", "PaveRegistry", crypto]),
        // Umbrella library for SwiftPM users.
        .target(name: "PaveKit", dependencies: ["PaveFormat", "PaveModel", "PaveExecutor", "PaveCompose", "PaveRegistry", "PaveRemote"]),
        // Layer 5: the thin CLI and the release benchmark.
        .executableTarget(name: "pavepkg", dependencies: ["PaveKit", argumentParser]),
        .executableTarget(name: "pavepkg-bench", dependencies: ["PaveKit", crypto]),

        .testTarget(name: "PaveFormatTests", dependencies: ["PaveFormat"]),
        .testTarget(name: "PaveModelTests", dependencies: ["PaveModel", "PaveFormat"]),
        .testTarget(name: "PaveExecutorTests", dependencies: ["PaveExecutor", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PaveComposeTests", dependencies: ["PaveCompose", "PaveExecutor", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PaveRegistryTests", dependencies: ["PaveRegistry", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PavePkgCLITests", dependencies: ["PaveKit"]),
        .testTarget(name: "PaveRemoteTests", dependencies: ["PaveRemote", "PaveRegistry", "PaveFormat"]),
    ],
    swiftLanguageModes: [.v6]
)
