import Foundation
import PaveKit

/// Runs the built `pavepkg` / `pavepkg-bench` binaries (from `swift build`, found next to the test bundle or via
/// `PAVEPKG_BIN_DIR`).
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding the built `pavepkg` and `pavepkg-bench`: `PAVEPKG_BIN_DIR`, else next to the test
    /// bundle (`swift test` builds them), else `.build/debug`. A missing binary is a failure, never a skip.
    static func binary(_ tool: String = "pavepkg") throws -> URL {
        var candidates: [URL] = []
        if let d = ProcessInfo.processInfo.environment["PAVEPKG_BIN_DIR"] { candidates.append(URL(fileURLWithPath: d)) }
        var d = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {  // the test bundle may sit a level or two below the products directory
            candidates.append(d)
            d = d.deletingLastPathComponent()
        }
        candidates += [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")]
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent(tool).path) {
            return dir.appendingPathComponent(tool)
        }
        throw CLIError("no built \(tool) binary in \(candidates.map(\.path).joined(separator: ", ")): run `swift build` (or set PAVEPKG_BIN_DIR)")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], tool: String = "pavepkg", environment: [String: String] = [:], cwd: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = try binary(tool)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

enum Fixtures {
    /// A safetensors file with a few dtypes and shape classes, deterministic.
    static func safetensors(at path: String, prefix: String = "") throws {
        var state: UInt64 = 42
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        func bf16(_ n: Int) -> [UInt8] {
            (0..<n).flatMap { _ -> [UInt8] in [next(), 0x3C | (next() & 0x83)] }  // small weights, both signs
        }
        let tensors: [(String, TensorData)] = [
            (prefix + "layer.weight", try TensorData(dtype: .bf16, shape: [300, 700], bytes: bf16(210_000))),
            (prefix + "layer.bias", try TensorData.f32(shape: [7], [0.5, -1, 2, 0, 1e-3, 3, 4])),
            (prefix + "step", try TensorData(dtype: .i64, shape: [], bytes: [5, 0, 0, 0, 0, 0, 0, 0])),
            (prefix + "empty", try TensorData(dtype: .f16, shape: [0, 4], bytes: [])),
            (prefix + "mask", try TensorData(dtype: .bool, shape: [3], bytes: [1, 0, 1])),
        ]
        try SafetensorsWriter.write(tensors, to: URL(fileURLWithPath: path))
    }
}
