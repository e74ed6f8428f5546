import Foundation
import PaveFormat
import PaveModel
import PaveRegistry
@testable import PaveRemote
#if canImport(Glibc)
import Glibc
#endif

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A fresh temporary directory, removed on `cleanup()`.
struct TempDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Finds an executable on PATH.
func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

/// A free TCP port on 127.0.0.1 (bound then released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw TestFailure("bind failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func isListening(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A real CNCF distribution registry (Debian's `docker-registry` 2.8.2) on 127.0.0.1, with a temporary config
/// and storage; stopped by `stop()` (and on deinit).
final class TestRegistry: @unchecked Sendable {
    enum Auth {
        case none
        case htpasswd(user: String, password: String)
        case token(realm: String)
    }
    let dir: URL
    let port: Int
    let config: URL
    private var process: Process?
    var host: String { "127.0.0.1:\(port)" }
    /// Where the registry keeps blobs (for corrupting one on disk).
    var storage: URL { dir.appendingPathComponent("storage") }

    init(auth: Auth = .none) throws {
        guard let binary = which("docker-registry") else {
            throw TestFailure("docker-registry (CNCF distribution) is not installed: run scripts/install-deps.sh")
        }
        _ = binary
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pave-oci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        port = try freePort()
        var yaml = """
            version: 0.1
            log: {level: error, accesslog: {disabled: true}}
            storage: {filesystem: {rootdirectory: \(dir.path)/storage}, delete: {enabled: true}, cache: {blobdescriptor: inmemory}}
            http: {addr: 127.0.0.1:\(port), secret: pave-test-secret}

            """
        switch auth {
        case .none: break
        case let .htpasswd(user, password):
            let p = Process()
            p.executableURL = URL(fileURLWithPath: which("htpasswd") ?? "/usr/bin/htpasswd")
            p.arguments = ["-Bbn", user, password]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let line = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw TestFailure("htpasswd failed: run scripts/install-deps.sh (apache2-utils)") }
            try line.write(to: dir.appendingPathComponent("htpasswd"))
            yaml += "auth: {htpasswd: {realm: pave-test, path: \(dir.path)/htpasswd}}\n"
        case let .token(realm):
            yaml += "auth: {silly: {realm: \"\(realm)\", service: pave-test-registry}}\n"
        }
        config = dir.appendingPathComponent("config.yml")
        try Data(yaml.utf8).write(to: config)
        try start()
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: which("docker-registry") ?? "/usr/bin/docker-registry")
        p.arguments = ["serve", config.path]
        let log = dir.appendingPathComponent("registry.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(20)
        while !isListening(port) {
            guard p.isRunning, Date() < deadline else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw TestFailure("docker-registry did not start on \(host): \(text.suffix(2000))")
            }
            usleep(20_000)
        }
    }

    /// Kills the registry (SIGKILL: as abrupt as a crash) and waits for it to exit.
    func stop() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    func restart() throws { stop(); try start() }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// The file holding blob `digest` on the registry's disk.
    func blobDataFile(_ digest: PaveFormat.Digest) -> URL {
        storage.appendingPathComponent("docker/registry/v2/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)/data")
    }
}

/// The token endpoint of Tests/Fixtures/remote/token_server.py, for a registry with `auth: silly`.
final class TokenServer: @unchecked Sendable {
    let process: Process
    let port: Int
    let log: URL
    var realm: String { "http://127.0.0.1:\(port)/token" }

    init(user: String, password: String, expiresIn: Int = 300, dir: URL) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/remote/token_server.py")
        let portFile = dir.appendingPathComponent("token.port")
        log = dir.appendingPathComponent("token.log")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: which("python3") ?? "/usr/bin/python3")
        p.arguments = [script.path, portFile.path, user, password, log.path, String(expiresIn)]
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) { self.port = port; break }
            guard p.isRunning, Date() < deadline else { throw TestFailure("token server did not start") }
            usleep(20_000)
        }
    }

    /// Every request logged so far.
    func requests() -> [JSONValue] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// Deterministic pseudo-random floats in [-1e-2, 1e-2] (they barely compress: each tensor is its own blob).
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        s ^= s << 13; s ^= s >> 7; s ^= s << 17
        return Float(Int32(truncatingIfNeeded: s)) * 4.6e-12
    }
}

/// Writes a `.pave` with the given tensors (name, float count, seed) and returns its path. `baseModel` names a
/// signature under samples/base-signatures (e.g. `llava-onevision-qwen2-7b-ov`) recorded as the patch's base.
@discardableResult
func writePatch(_ url: URL, name: String, version: String, tensors: [(String, Int, UInt64)], baseModel: String? = nil) throws -> String {
    var m = Manifest(name: name, version: version)
    m.description = "remote test patch"
    m.created = "2026-01-01T00:00:00Z"
    if let baseModel {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let signature = try BaseSignature.load(signatureOrModel: root.appendingPathComponent("samples/base-signatures/\(baseModel).sig.json"))
        try m.setBaseReference(BaseReference(signature: signature))
    }
    let sources: [any TensorSource] = try tensors.map { t in
        InMemoryTensorSource(name: t.0, tensor: try .f32(shape: [t.1], randomFloats(t.1, seed: t.2)))
    }
    _ = try PaveWriter.write(manifest: m, tensors: sources, to: url, options: PackOptions(threads: 1))
    return url.path
}

/// A registry client for tests: quick retries so that faults fail fast.
func testClient(_ registry: TestRegistry, credential: RegistryCredential? = nil, attempts: Int = 3) throws -> RegistryClient {
    try RegistryClient(registry: registry.host, credential: credential, retry: RetryPolicy(attempts: attempts, initialDelay: 0.05), idleTimeout: 20)
}

/// A fresh local registry (PAVE_HOME) under `dir`.
func localRegistry(_ dir: URL) throws -> Registry {
    try Registry(layout: StoreLayout(home: dir), reader: PaveFileReader(threads: 1))
}
