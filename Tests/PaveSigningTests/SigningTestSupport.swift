import Foundation
import PaveFormat
import PaveTestSupport

/// Runs an external tool (openssl, model_signing) and returns its status and output.
enum Tool {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ executable: String, _ args: [String]) throws -> Result {
        let r = executable.hasPrefix("/") ? try ChildProcess.run(URL(fileURLWithPath: executable), args)
                                          : try ChildProcess.run(tool: executable, args)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Runs openssl; throws with its stderr when it fails.
    @discardableResult
    static func openssl(_ args: [String]) throws -> Result {
        let r = try run("openssl", args)
        guard r.status == 0 else { throw ToolError("openssl \(args.joined(separator: " ")) failed (\(r.status)): \(r.stderr)") }
        return r
    }
}

struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

final class ScratchDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// A file of `count` deterministic bytes.
    func bytes(_ name: String, count: Int, seed: UInt64 = 7) throws -> URL {
        var rng = SplitMix64(seed: seed)
        var data = [UInt8](repeating: 0, count: count)
        for i in 0..<count { data[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let url = file(name)
        try Data(data).write(to: url)
        return url
    }

    /// An openssl P-256 (or `curve`) key pair: SEC1 private key from `ecparam -genkey`, SPKI public key.
    func opensslKey(_ name: String, curve: String = "prime256v1") throws -> (priv: URL, pub: URL) {
        let priv = file(name + ".pem"), pub = file(name + ".pub")
        try Tool.openssl(["ecparam", "-name", curve, "-genkey", "-noout", "-out", priv.path])
        try Tool.openssl(["ec", "-in", priv.path, "-pubout", "-out", pub.path])
        return (priv, pub)
    }
}
