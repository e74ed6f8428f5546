import Foundation
import Testing
import PaveKit

/// `pavepkg pack → verify → run` through the real executable (built next to the test bundle).
@Suite struct ExecutorCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/executor")

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func pavepkg(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = try CLI.binary()
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pave-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let w = try SafetensorsFile(fixtures.appendingPathComponent("a2.weights.safetensors"))
        var m = Manifest(name: "demo", version: "1.0.0")
        m["fusion"] = try JSONValue.parse(Array((w.metadata["fusion"] ?? "{}").utf8))
        m["side_channel"] = ["kind": "audio", "layout": ["H": 1, "W": 1, "C": 10]]
        try m.canonicalData().write(to: dir.appendingPathComponent("manifest.json"))
        let c = try SafetensorsFile(fixtures.appendingPathComponent("a2.uneven.safetensors"))
        try SafetensorsWriter.write([("side", try c.tensor("side")), ("visual", try c.tensor("visual"))], to: dir.appendingPathComponent("in.safetensors"))
        try SafetensorsWriter.write([("fused", try c.tensor("fused"))], to: dir.appendingPathComponent("expected.safetensors"))
        return dir
    }

    @Test
    func packVerifyRun() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = { (name: String) in dir.appendingPathComponent(name).path }
        let weights = Self.fixtures.appendingPathComponent("a2.weights.safetensors").path
        var r = try Self.pavepkg(["pack", weights, "--manifest", p("manifest.json"), "-o", p("demo.pave"), "--created", "2026-01-01T00:00:00Z",
                                  "--reference", p("in.safetensors"), "--expected", p("expected.safetensors"), "--tolerance", "1e-4,1e-4"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try Self.pavepkg(["verify", p("demo.pave")])
        #expect(r.status == 0 && r.stdout.contains("ok   reference.reference.fused: max abs error"), "\(r.stdout)\(r.stderr)")
        r = try Self.pavepkg(["verify", p("demo.pave"), "--json"])
        let report = try JSONValue.parse(Array(r.stdout.utf8))
        let outputs = report["numerics"]?["reference_vectors"]?.arrayValue?.first?["outputs"]?.arrayValue
        #expect((outputs?.first?["max_abs_error"]?.doubleValue ?? 1) < 1e-5)
        r = try Self.pavepkg(["run", p("demo.pave"), "--inputs", p("in.safetensors"), "-o", p("out.safetensors")])
        #expect(r.status == 0 && r.stdout.contains("fused [15, 24]"), "\(r.stderr)")
        let got = try SafetensorsFile(dir.appendingPathComponent("out.safetensors")).tensor("fused")
        let expected = try SafetensorsFile(dir.appendingPathComponent("expected.safetensors")).tensor("fused")
        let g = try FloatTensor(got, name: "got").values, e = try FloatTensor(expected, name: "expected").values
        #expect(zip(g, e).allSatisfy { abs($0 - $1) <= 1e-4 + 1e-4 * abs($1) })
        // Shapes that do not fit are named.
        r = try Self.pavepkg(["run", p("demo.pave"), "--inputs", p("expected.safetensors"), "-o", p("x.safetensors")])
        #expect(r.status == 1 && r.stderr.contains("missing tensor \"visual\""), "\(r.stderr)")
        r = try Self.pavepkg(["run", p("demo.pave"), "--inputs", p("in.safetensors"), "-o", p("x.safetensors"), "--side-length", "99"])
        #expect(r.status == 2 && r.stderr.contains("side_length: 99 is outside 1…13"), "\(r.stderr)")
    }

    @Test
    func packRefusesAndVerifyNamesTheWorstElement() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = { (name: String) in dir.appendingPathComponent(name).path }
        let weights = Self.fixtures.appendingPathComponent("a2.weights.safetensors").path
        // A manifest declaring 3 layers for 2-layer weights: refused, naming the tensors.
        var m = try Manifest(jsonBytes: [UInt8](Data(contentsOf: dir.appendingPathComponent("manifest.json"))))
        var f = m["fusion"]?.objectValue ?? [:]
        f["layers"] = 3
        m["fusion"] = .object(f)
        try m.canonicalData().write(to: dir.appendingPathComponent("m3.json"))
        var r = try Self.pavepkg(["pack", weights, "--manifest", p("m3.json"), "-o", p("bad.pave")])
        #expect(r.status == 1 && r.stderr.contains("missing tensor \"fusion.cross_attn_layers.2.attn.q_linear.weight\""), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: p("bad.pave")))
        // A declared set whose expected output is off by 0.5 at [2, 3]: verify exits 1 naming it.
        let c = try SafetensorsFile(Self.fixtures.appendingPathComponent("a2.uneven.safetensors"))
        var fused = try FloatTensor(try c.tensor("fused"), name: "fused")
        fused.values[2 * 24 + 3] += 0.5
        try SafetensorsWriter.write([("ref.bad.fused", fused.tensorData()), ("ref.bad.side", try c.tensor("side")), ("ref.bad.visual", try c.tensor("visual"))],
                                    to: dir.appendingPathComponent("badref.safetensors"))
        var m2 = try Manifest(jsonBytes: [UInt8](Data(contentsOf: dir.appendingPathComponent("manifest.json"))))
        try m2.encode([ReferenceVectorSet(name: "bad", tensorPrefix: "ref.bad.", source: "user")], forKey: "reference_vectors")
        try m2.canonicalData().write(to: dir.appendingPathComponent("mbad.json"))
        r = try Self.pavepkg(["pack", weights, p("badref.safetensors"), "--manifest", p("mbad.json"), "-o", p("damaged.pave")])
        #expect(r.status == 0, "\(r.stderr)")
        r = try Self.pavepkg(["verify", p("damaged.pave")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("reference set \"bad\": ref.bad.fused[2, 3] ="), "\(r.stderr)")
    }
}
