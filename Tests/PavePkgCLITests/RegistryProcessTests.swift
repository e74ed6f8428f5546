import Foundation
import PaveKit
import Testing

/// End-to-end tests of the registry through the built `pavepkg` binary: several processes at once, and a
/// process killed with SIGKILL in the middle of an install.
@Suite(.serialized) struct RegistryProcessTests {
    struct Outcome {
        var status: Int32
        var signaled: Bool
        var stdout: String
        var stderr: String
    }

    static func start(_ args: [String], home: URL, env extra: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try CLI.binary()
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["PAVE_HOME"] = home.path
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    static func finish(_ r: (Process, Pipe, Pipe)) -> Outcome {
        let out = r.1.fileHandleForReading.readDataToEndOfFile()
        let err = r.2.fileHandleForReading.readDataToEndOfFile()
        r.0.waitUntilExit()
        return Outcome(status: r.0.terminationStatus, signaled: r.0.terminationReason == .uncaughtSignal,
                       stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    static func run(_ args: [String], home: URL, env: [String: String] = [:]) throws -> Outcome {
        finish(try start(args, home: home, env: env))
    }

    /// A real `.pave` with a 64 KB "shared" tensor (same in every version) and a 32 KB own tensor, both of
    /// pseudo-random values (they barely compress, so each is stored as a blob of its own).
    static func writePatch(_ dir: URL, name: String, version: String, seed: Float, tags: [String] = []) throws -> String {
        var m = Manifest(name: name, version: version)
        m.description = "test patch \(name)"
        m.tags = tags
        m.created = "2026-01-01T00:00:00Z"
        var state: UInt32 = 12_345
        func next() -> Float {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(Int32(bitPattern: state)) * 1e-9
        }
        let shared = (0..<16_384).map { _ in next() }
        state = UInt32(seed * 1000)
        let own = (0..<8192).map { _ in next() }
        let url = dir.appendingPathComponent("\(name)-\(version).pave")
        _ = try PaveWriter.write(manifest: m, tensors: [
            InMemoryTensorSource(name: "lora.shared", tensor: try .f32(shape: [128, 128], shared)),
            InMemoryTensorSource(name: "lora.own", tensor: try .f32(shape: [128, 64], own)),
        ], to: url, options: PackOptions(threads: 1))
        return url.path
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func cliRoundTripWithJSON() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let a = try Self.writePatch(dir, name: "speech", version: "1.0.0", seed: 0.5, tags: ["audio", "asr"])
        let b = try Self.writePatch(dir, name: "speech", version: "1.1.0", seed: 0.25, tags: ["audio", "asr"])
        let i = try Self.run(["install", a, b, "--json"], home: home)
        #expect(i.status == 0, "\(i.stderr)")
        let installed = try JSONValue.parse(Array(i.stdout.utf8))
        #expect(installed["installed"]?.arrayValue?.count == 2)
        // The second version reuses the first's "lora.shared" region: one blob fewer, its bytes not written again.
        let first = installed["installed"]?.arrayValue?.first, second = installed["installed"]?.arrayValue?.last
        #expect(second?["new_blobs"]?.intValue ?? 99 < first?["new_blobs"]?.intValue ?? 0)
        #expect(second?["reused_bytes"]?.intValue ?? 0 > 0)

        let l = try Self.run(["list", "--json"], home: home)
        let listed = try JSONValue.parse(Array(l.stdout.utf8))
        #expect(listed["patches"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["1.0.0", "1.1.0"])
        #expect(try Self.run(["search", "asr"], home: home).stdout.contains("speech:1.1.0"))
        let s = try JSONValue.parse(Array(try Self.run(["show", "speech", "--json"], home: home).stdout.utf8))
        #expect(s["patch"]?["version"]?.stringValue == "1.1.0")
        let sharedSegment = s["segments"]?.arrayValue?.first { $0["tensor"]?.stringValue == "lora.shared" }
        #expect(sharedSegment?["shared_by"]?.intValue == 2)
        let digest = try #require(listed["patches"]?.arrayValue?.first?["digest"]?.stringValue)
        #expect(try Self.run(["show", String(digest.dropFirst(7).prefix(8))], home: home).stdout.contains("speech:1.0.0"))

        let bad = try Self.run(["show", "nope:1.0.0", "--json"], home: home)
        #expect(bad.status == 2)
        #expect(try JSONValue.parse(Array(bad.stdout.utf8))["error"]?["code"]?.stringValue == "registry.not_installed")

        let r = try Self.run(["remove", "speech:1.0.0", "--json"], home: home)
        #expect(r.status == 0, "\(r.stderr)")
        let g = try Self.run(["gc", "--dry-run", "--json"], home: home)
        #expect(try JSONValue.parse(Array(g.stdout.utf8))["freed_bytes"]?.intValue == 0)
        let d = try Self.run(["doctor"], home: home)
        #expect(d.status == 0 && d.stdout.hasSuffix("ok\n"), "\(d.stdout)")
    }

    @Test func installedPatchesCanBeNamedWhereAFileIsExpectedAndBitRotIsReported() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let a = try Self.writePatch(dir, name: "named", version: "1.0.0", seed: 3)
        #expect(try Self.run(["install", a], home: home).status == 0)
        let fromFile = try Self.run(["inspect", a, "--json"], home: home)
        let fromStore = try Self.run(["inspect", "named:1.0.0", "--json"], home: home)
        #expect(fromStore.status == 0, "\(fromStore.stderr)")
        #expect(try JSONValue.parse(Array(fromStore.stdout.utf8))["digest"] == JSONValue.parse(Array(fromFile.stdout.utf8))["digest"])
        let verified = try Self.run(["verify", "named"], home: home)
        #expect(verified.status == 0 && verified.stdout.contains("named: OK"), "\(verified.stdout)\(verified.stderr)")
        #expect(try Self.run(["inspect", "nothing-here"], home: home).status == 2)
        let exported = try Self.run(["export", "named", "-o", dir.appendingPathComponent("out").path, "--format", "safetensors"], home: home)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try Self.run(["verify", "--installed"], home: home).status == 0)

        // Bit rot in the stored tensor region: verify --installed names it, verify NAME fails too.
        let registry = try Registry(layout: StoreLayout(home: home))
        let blob = try #require(try registry.show("named").segments.first { $0.tensor == "lora.own" }?.blob)
        let url = home.appendingPathComponent("blobs/sha256/\(blob.prefix(2))/\(blob)")
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: url)
        let rot = try Self.run(["verify", "--installed", "--json"], home: home)
        #expect(rot.status == 1)
        let report = try JSONValue.parse(Array(rot.stdout.utf8))
        #expect(report["damaged"]?.arrayValue?.first?["tensors"] == ["lora.own"])
        #expect(report["damaged"]?.arrayValue?.first?["patches"] == ["named:1.0.0"])
        #expect(try Self.run(["verify", "named"], home: home).status == 1)
    }

    @Test func twoProcessesInstallingAtOnceBothSucceed() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        // Both processes write the shared tensor's blob and fight for the index's write lock.
        let left = try (0..<4).map { try Self.writePatch(dir, name: "left", version: "1.0.\($0)", seed: Float($0) + 1) }
        let right = try (0..<4).map { try Self.writePatch(dir, name: "right", version: "1.0.\($0)", seed: Float($0) + 10) }
        let jobs = try zip(left, right).flatMap { l, r in
            [try Self.start(["install", l], home: home), try Self.start(["install", r], home: home)]
        }
        let outcomes = jobs.map(Self.finish)
        for o in outcomes { #expect(o.status == 0 && !o.signaled, "\(o.stderr)") }
        let registry = try Registry(layout: StoreLayout(home: home))
        #expect(try registry.list().count == 8)
        let doctor = try registry.doctor()
        #expect(doctor.ok, "\(doctor.findings)")
        #expect(doctor.findings.isEmpty, "\(doctor.findings)")
        #expect(try registry.show("left:1.0.0").segments.first { $0.tensor == "lora.shared" }?.sharedBy == 8)
    }

    @Test func gcRunningDuringInstallsNeverTakesTheirBlobs() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let files = try (0..<6).map { try Self.writePatch(dir, name: "busy", version: "1.0.\($0)", seed: Float($0) + 1) }
        var jobs: [(Process, Pipe, Pipe)] = []
        for (k, f) in files.enumerated() {
            jobs.append(try Self.start(["install", f], home: home))
            if k % 2 == 0 { jobs.append(try Self.start(["gc"], home: home)) }
        }
        for o in jobs.map(Self.finish) { #expect(o.status == 0 && !o.signaled, "\(o.stderr)") }
        let registry = try Registry(layout: StoreLayout(home: home))
        #expect(try registry.list().count == 6)
        #expect(try registry.verifyInstalled().ok)
        #expect(try registry.doctor().findings.isEmpty)
    }

    static let crashPoints = ["blob-partial", "after-blobs", "after-recipe", "in-transaction", "after-commit"]

    @Test(arguments: crashPoints)
    func installKilledMidwayLeavesOldOrNewState(point: String) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let v1 = try Self.writePatch(dir, name: "crash", version: "1.0.0", seed: 1)
        let v2 = try Self.writePatch(dir, name: "crash", version: "2.0.0", seed: 2)
        #expect(try Self.run(["install", v1], home: home).status == 0)
        let killed = try Self.run(["install", v2], home: home, env: ["PAVE_REGISTRY_CRASH_AT": point])
        #expect(killed.signaled && killed.status == 9, "install was not killed at \(point): \(killed.status) \(killed.stderr)")

        let registry = try Registry(layout: StoreLayout(home: home))
        let versions = try registry.list().map(\.version)
        #expect(versions == (point == "after-commit" ? ["1.0.0", "2.0.0"] : ["1.0.0"]))
        // Every row has its blobs, every count is right; only garbage (notices) may be left.
        let doctor = try registry.doctor()
        #expect(doctor.ok, "\(doctor.findings)")
        #expect(try registry.verifyInstalled().ok)
        for p in try registry.list() { #expect(try registry.open(p).verifyAll().ok) }
        _ = try registry.gc()
        #expect(try registry.doctor().findings.isEmpty)
        // The interrupted install can simply be repeated.
        #expect(try Self.run(["install", v2], home: home).status == 0)
        #expect(try registry.list().map(\.version) == ["1.0.0", "2.0.0"])
        #expect(try registry.doctor().findings.isEmpty)
    }

    @Test(arguments: ["remove-after-commit", "gc-partial"])
    func removeAndGCKilledMidwayLeaveAConsistentStore(point: String) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let v1 = try Self.writePatch(dir, name: "gone", version: "1.0.0", seed: 1)
        let v2 = try Self.writePatch(dir, name: "kept", version: "1.0.0", seed: 2)
        #expect(try Self.run(["install", v1, v2], home: home).status == 0)
        if point == "gc-partial" {
            // Garbage for gc to delete: an install killed after writing its blobs.
            let v3 = try Self.writePatch(dir, name: "half", version: "1.0.0", seed: 3)
            #expect(try Self.run(["install", v3], home: home, env: ["PAVE_REGISTRY_CRASH_AT": "after-recipe"]).signaled)
        }
        let args = point == "gc-partial" ? ["gc"] : ["remove", "gone:1.0.0"]
        let killed = try Self.run(args, home: home, env: ["PAVE_REGISTRY_CRASH_AT": point])
        #expect(killed.signaled, "\(killed.stderr)")
        let registry = try Registry(layout: StoreLayout(home: home))
        #expect(try registry.doctor().ok)
        #expect(try registry.verifyInstalled().ok)
        _ = try registry.gc()
        #expect(try registry.doctor().findings.isEmpty)
        #expect(try registry.list().map(\.name).contains("kept"))
    }
}
