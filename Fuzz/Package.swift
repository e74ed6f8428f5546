// swift-tools-version: 6.0
// libFuzzer harnesses for every parser of untrusted bytes (see README, "Fuzzing", and scripts/fuzz.sh).
// A separate package so the normal build and CI never compile with the fuzzer sanitizer.
import PackageDescription

let pave = Target.Dependency.product(name: "PaveKit", package: "pavepkg")

/// One libFuzzer harness: a library-style executable whose only entry is `LLVMFuzzerTestOneInput`.
func harness(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: [pave, "FuzzSupport"], path: "Sources/\(name)",
                      swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "pavepkg-fuzz",
    dependencies: [.package(path: "pavepkg")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [pave]),
        harness("fuzz-pave"),
        harness("fuzz-safetensors"),
        harness("fuzz-manifest"),
        harness("fuzz-basemodel"),
        harness("fuzz-zip"),
        harness("fuzz-torch"),
        harness("fuzz-pickle"),
        harness("fuzz-checkpoint"),
        harness("fuzz-oci"),
        harness("fuzz-oms"),
    ],
    swiftLanguageModes: [.v6]
)
