import Foundation
import PaveKit
#if canImport(Glibc)
import Glibc
#endif

/// `pavepkg-bench remote [--small-mb 20] [--large-mb 340] [--dir PATH] [--stack FILE --member FILE...]`: push and pull
/// through two real loopback CNCF registries (`docker-registry`), against `skopeo copy` of the same artifact
/// between them in the same run.
///
/// 1. push and pull of a SMALL and a LARGE patch (MB/s), and `skopeo copy` registry A → B of each;
/// 2. bytes sent for version 2 of the large patch with one tensor changed;
/// 3. with `--stack`: bytes sent for a composed stack pushed after its `--member`s (e.g. the demo's
///    `video-audio.pave` after `pave-7b-video.pave` and `pave-7b-audio.pave`);
/// 4. resume: a `pavepkg pull` of the large patch killed (SIGKILL) halfway, then re-run: bytes downloaded.
enum RemoteBench {
    static func run(smallMB: Int, largeMB: Int, base: URL, stack: String?, members: [String]) throws {
        guard let skopeo = which("skopeo"), which("docker-registry") != nil else {
            throw BenchError("docker-registry and skopeo are needed: run scripts/install-deps.sh")
        }
        let root = base.appendingPathComponent("pave-remote-bench-\(getpid())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        print("load average: \(RegistryBench.loadAverage())")
        let a = try BenchRegistry(root.appendingPathComponent("regA"))
        let b = try BenchRegistry(root.appendingPathComponent("regB"))
        defer { a.stop(); b.stop() }
        print("pavepkg-bench remote: registries \(a.host) and \(b.host) (docker-registry, loopback), dir \(root.path)")
        let client = try RegistryClient(registry: a.host, credential: nil)
        let reader = PaveFileReader()

        var large: (file: String, tensors: Int)?
        for (label, mb) in [("small", smallMB), ("large", largeMB)] {
            let tensorMB = mb >= 100 ? 4 : 2
            let count = max(1, Int((Double(mb) / Double(tensorMB) * 1.2).rounded()))  // the tensors compress to ≈ 0.83
            let file = root.appendingPathComponent("\(label).pave").path
            try writePatch(file, name: "bench-\(label)", version: "1.0.0", tensors: count, floatsPerTensor: tensorMB << 18, changed: nil)
            if label == "large" { large = (file, count) }
            let size = try fileSize(file)
            let source = try PushSource.file(file, reader: reader)
            let ref = try RemoteReference(parsing: "\(a.host)/bench/\(label):1.0.0")
            var t = Date()
            let pushed = try PatchPusher(client: client, hints: nil).push(source, to: ref)
            let pushSeconds = Date().timeIntervalSince(t)
            let home = root.appendingPathComponent("home-\(label)")
            let store = try Registry(layout: StoreLayout(home: home), reader: reader)
            t = Date()
            let pulled = try PatchPuller(client: client).pull(ref, into: store, base: nil)
            let pullSeconds = Date().timeIntervalSince(t)
            t = Date()
            try runTool(skopeo, ["copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false",
                                 "docker://\(a.host)/bench/\(label):1.0.0", "docker://\(b.host)/bench/\(label):1.0.0"])
            let skopeoSeconds = Date().timeIntervalSince(t)
            let mbs = { (bytes: Int, s: Double) in Double(bytes) / 1_048_576 / s }
            let skopeoRate = mbs(size, skopeoSeconds)
            print(String(format: "%@ patch %.1f MB (%d tensors): push %.2f s = %.0f MB/s (%.2f× skopeo copy), pull+verify+install %.2f s = %.0f MB/s (%.2f× skopeo copy); skopeo copy A→B %.2f s = %.0f MB/s",
                         label, Double(size) / 1_048_576, count, pushSeconds, mbs(pushed.bytesSent, pushSeconds), mbs(pushed.bytesSent, pushSeconds) / skopeoRate,
                         pullSeconds, mbs(size, pullSeconds), mbs(size, pullSeconds) / skopeoRate, skopeoSeconds, skopeoRate))
            _ = pulled
        }

        // Version 2 of the large patch with one tensor changed.
        if let large {
            let v2 = root.appendingPathComponent("large-v2.pave").path
            try writePatch(v2, name: "bench-large", version: "1.1.0", tensors: large.tensors, floatsPerTensor: (largeMB >= 100 ? 4 : 2) << 18, changed: large.tensors / 2)
            let r = try PatchPusher(client: client, hints: nil).push(try PushSource.file(v2, reader: reader),
                                                                     to: try RemoteReference(parsing: "\(a.host)/bench/large"))
            print(String(format: "version 2 (one of %d tensors changed): sent %d of %d bytes = %.2f %% (%d blobs uploaded, %d already there)",
                         large.tensors, r.bytesSent, r.size, Double(r.bytesSent) * 100 / Double(r.size), r.uploaded, r.existing))
        }

        // A composed stack after its members (each pushed to its own repository; the stack's shared blobs are mounted).
        if let stack {
            let hints = BlobLocationHints(home: root.appendingPathComponent("hints"))
            for (n, m) in members.enumerated() {
                _ = try PatchPusher(client: client, hints: hints).push(try PushSource.file(m, reader: reader),
                                                                     to: try RemoteReference(parsing: "\(a.host)/bench/member\(n)"))
            }
            let r = try PatchPusher(client: client, hints: hints).push(try PushSource.file(stack, reader: reader),
                                                                     to: try RemoteReference(parsing: "\(a.host)/bench/stack"))
            print(String(format: "composed stack after its %d members: sent %d of %d bytes = %.2f %% (%d blobs uploaded, %d mounted, %d already there)",
                         members.count, r.bytesSent, r.size, Double(r.bytesSent) * 100 / Double(r.size), r.uploaded, r.mounted, r.existing))
        }

        // Resume: a pull process killed halfway, then re-run.
        if large != nil {
            let home = root.appendingPathComponent("home-resume")
            let store = try Registry(layout: StoreLayout(home: home), reader: reader)
            let ref = try RemoteReference(parsing: "\(a.host)/bench/large:1.0.0")
            let size = try fileSize(root.appendingPathComponent("large.pave").path)
            let downloads = home.appendingPathComponent("downloads/sha256")
            let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pavepkg")
            let p = Process()
            p.executableURL = tool
            p.arguments = ["pull", ref.description]
            p.environment = ProcessInfo.processInfo.environment.merging(["PAVE_HOME": home.path]) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            var onDisk = 0
            while p.isRunning {
                onDisk = directoryBytes(downloads)
                if onDisk >= size / 2 { kill(p.processIdentifier, SIGKILL); break }
                usleep(2_000)
            }
            p.waitUntilExit()
            onDisk = directoryBytes(downloads)
            let t = Date()
            let r = try PatchPuller(client: client).pull(ref, into: store, base: nil)
            print(String(format: "resume: pull killed with %.1f MB on disk; the re-run downloaded %d of %d bytes = %.1f %% in %.2f s",
                         Double(onDisk) / 1_048_576, r.bytesDownloaded, size, Double(r.bytesDownloaded) * 100 / Double(size), Date().timeIntervalSince(t)))
        }
    }

    /// A patch of `tensors` incompressible f32 tensors; tensor `changed` (if any) gets other values.
    static func writePatch(_ path: String, name: String, version: String, tensors: Int, floatsPerTensor: Int, changed: Int?) throws {
        var m = Manifest(name: name, version: version)
        m.created = "2026-01-01T00:00:00Z"
        var sources: [any TensorSource] = []
        for t in 0..<tensors {
            var s = UInt64(t + 1) &* 0x9E37_79B9_7F4A_7C15 | 1
            if t == changed { s ^= 0xDEAD_BEEF }
            var values = [Float](repeating: 0, count: floatsPerTensor)
            for k in 0..<floatsPerTensor {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17
                values[k] = Float(Int32(truncatingIfNeeded: s)) * 4.6e-12
            }
            sources.append(InMemoryTensorSource(name: "lora.\(t)", tensor: try .f32(shape: [floatsPerTensor], values)))
        }
        _ = try PaveWriter.write(manifest: m, tensors: sources, to: URL(fileURLWithPath: path), options: PackOptions())
    }

    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    static func directoryBytes(_ dir: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.reduce(0) { sum, n in
            var st = stat()
            return stat(dir.appendingPathComponent(n).path, &st) == 0 ? sum + Int(st.st_size) : sum
        }
    }

    static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func runTool(_ path: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("\(path) \(args.joined(separator: " ")) exited with \(p.terminationStatus)") }
    }
}

/// A loopback `docker-registry` with its own config and storage, for the benchmark.
final class BenchRegistry {
    let process = Process()
    let host: String

    init(_ dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let port = try Self.freePort()
        host = "127.0.0.1:\(port)"
        let config = dir.appendingPathComponent("config.yml")
        try Data("""
            version: 0.1
            log: {level: error, accesslog: {disabled: true}}
            storage: {filesystem: {rootdirectory: \(dir.path)/storage}}
            http: {addr: \(host)}

            """.utf8).write(to: config)
        process.executableURL = URL(fileURLWithPath: RemoteBench.which("docker-registry") ?? "/usr/bin/docker-registry")
        process.arguments = ["serve", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let client = try RegistryClient(registry: host, credential: nil, retry: RetryPolicy(attempts: 1))
        let deadline = Date().addingTimeInterval(20)
        while (try? client.ping()) == nil {
            guard Date() < deadline, process.isRunning else { throw BenchError("docker-registry did not start on \(host)") }
            usleep(50_000)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw BenchError("bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
