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
        // C libraries from Debian (see README: apt-get install libzstd-dev zlib1g-dev libopenblas-dev libsqlite3-dev).
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // OpenBLAS: function types only; libopenblas.so.0 is loaded on first use (Sources/PaveExecutor/BLAS.swift).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Layer 1: the container (dtypes, codecs, safetensors, .pave v1).
        .target(name: "PaveFormat", dependencies: ["CZstd", crypto]),
        // Layer 2: patch semantics and base-model signatures (model); PyTorch interop: zip (DEFLATE via zlib),
        // CRC-32, the restricted pickle reader, torch checkpoint read/write (interop, beside model).
        .target(name: "PaveModel", dependencies: ["PaveFormat", crypto]),
        .target(name: "PaveTorch", dependencies: ["PaveFormat", "CZlib", crypto]),
        // Layer 2b: PAVE training checkpoint import/export (model + interop).
        .target(name: "PaveCheckpoint", dependencies: ["PaveFormat", "PaveModel", "PaveTorch", crypto]),
        // Layer 3: the fp32 executor and the composer.
        .target(name: "PaveExecutor", dependencies: ["PaveFormat", "PaveModel", "COpenBLAS"]),
        .target(name: "PaveCompose", dependencies: ["PaveFormat", "PaveModel", "PaveExecutor"]),
        // Layer 4: the pipeline: one "verify this patch completely" and one "pack this patch" call.
        .target(name: "PavePipeline", dependencies: ["PaveFormat", "PaveModel", "PaveTorch", "PaveCheckpoint", "PaveExecutor", "PaveCompose"]),
        // OpenSSF Model Signing (Sigstore bundle, DSSE, in-toto) and trust policies (issue 12).
        .target(name: "PaveSigning", dependencies: ["PaveFormat", crypto]),
        // Layer 5: the local registry, and the CI gate (many patches verified in parallel, signatures, policy).
        .target(name: "PaveRegistry", dependencies: ["PaveFormat", "PaveModel", "PaveExecutor", "PavePipeline", "PaveSigning", "CSQLite", crypto]),
        .target(name: "PaveGate", dependencies: ["PaveFormat", "PavePipeline", "PaveSigning"]),
        // Layer 5: sharing patches through OCI registries (push, pull, login), on top of the local registry.
        .target(name: "PaveRemote", dependencies: ["PaveFormat", "PaveModel", "PaveRegistry", "PaveSigning", crypto]),
        // Umbrella library for SwiftPM users.
        .target(name: "PaveKit", dependencies: ["PaveFormat", "PaveModel", "PaveTorch", "PaveCheckpoint", "PaveExecutor", "PaveCompose", "PavePipeline", "PaveRegistry", "PaveRemote", "PaveSigning", "PaveGate"]),
        // Fixture builders for tests and the benchmark (not part of PaveKit).
        .target(name: "PaveTestSupport", dependencies: ["PaveFormat", "PaveModel", "PaveTorch"]),
        // Layer 6: the thin CLI and the release benchmark.
        .executableTarget(name: "pavepkg", dependencies: ["PaveKit", argumentParser]),
        .executableTarget(name: "pavepkg-bench", dependencies: ["PaveKit", "PaveTestSupport", argumentParser, crypto]),

        .testTarget(name: "PaveFormatTests", dependencies: ["PaveFormat"]),
        .testTarget(name: "PaveModelTests", dependencies: ["PaveModel", "PaveFormat", "PaveTestSupport"]),
        .testTarget(name: "PaveTorchTests", dependencies: ["PaveTorch", "PaveFormat", "PaveTestSupport"]),
        .testTarget(name: "PaveCheckpointTests", dependencies: ["PaveCheckpoint", "PaveTorch", "PaveModel", "PaveFormat", "PaveTestSupport"]),
        .testTarget(name: "PaveExecutorTests", dependencies: ["PaveExecutor", "PaveCheckpoint", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PaveComposeTests", dependencies: ["PaveCompose", "PaveExecutor", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PavePipelineTests", dependencies: ["PavePipeline", "PaveCompose", "PaveExecutor", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PaveRegistryTests", dependencies: ["PaveRegistry", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PavePkgCLITests", dependencies: ["PaveKit", "PaveTestSupport"]),
        .testTarget(name: "PaveRemoteTests", dependencies: ["PaveRemote", "PaveRegistry", "PaveSigning", "PaveModel", "PaveFormat"]),
        .testTarget(name: "PaveSigningTests", dependencies: ["PaveSigning", "PaveFormat", "PaveTestSupport"]),
        .testTarget(name: "PaveGateTests", dependencies: ["PaveGate", "PaveSigning", "PaveFormat"]),
    ],
    swiftLanguageModes: [.v6]
)
