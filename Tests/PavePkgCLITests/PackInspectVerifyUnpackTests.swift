import Foundation
import Testing
import PaveKit

@Suite
struct PackInspectVerifyUnpackTests {
    @Test func packInspectVerifyUnpackRoundTrip() throws {
        let dir = try TempDir()
        try Fixtures.safetensors(at: dir.path("in.safetensors"))
        let manifest = #"{"description": "demo", "license": "MIT", "x_custom": {"keep": [1, 2]}}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: dir.path("m.json")))
        let pack = try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("out.pave"), "--name", "demo", "--version", "1.2.3",
                                "--manifest", dir.path("m.json"), "--created", "2026-02-03T04:05:06Z"])
        #expect(pack.status == 0, "\(pack.stderr)")
        #expect(pack.stdout.contains("5 tensors"))

        let inspect = try CLI.run(["inspect", dir.path("out.pave")])
        #expect(inspect.status == 0)
        for fragment in ["demo 1.2.3", "layer.weight", "BF16", "[300, 700]", "420000", "ratio", "total (5 tensors)", "digest sha256:", "x_custom"] {
            #expect(inspect.stdout.contains(fragment), "inspect lacks \(fragment):\n\(inspect.stdout)")
        }
        let json = try CLI.run(["inspect", dir.path("out.pave"), "--json"])
        let parsed = try JSONValue.parse(Array(json.stdout.utf8))
        #expect(parsed["manifest"]?["x_custom"] == ["keep": [1, 2]])
        #expect(parsed["manifest"]?["created"] == "2026-02-03T04:05:06Z")
        #expect(parsed["manifest"]?["tool"] == .string("pavepkg \(PaveKitVersion.string)"))
        #expect(parsed["tensors"]?.arrayValue?.count == 5)

        let verify = try CLI.run(["verify", dir.path("out.pave")])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("OK"))
        let verifyJSON = try JSONValue.parse(Array(try CLI.run(["verify", dir.path("out.pave"), "--json"]).stdout.utf8))
        // structure, digest, manifest.schema, hashes, padding
        #expect(verifyJSON["checks"]?.arrayValue?.count == 5)

        let unpack = try CLI.run(["unpack", dir.path("out.pave"), "-o", dir.path("un")])
        #expect(unpack.status == 0, "\(unpack.stderr)")
        let a = try SafetensorsFile(URL(fileURLWithPath: dir.path("in.safetensors")))
        let b = try SafetensorsFile(URL(fileURLWithPath: dir.path("un/tensors.safetensors")))
        #expect(Set(a.entries.map(\.name)) == Set(b.entries.map(\.name)))
        for e in a.entries { #expect(try a.tensor(e.name) == b.tensor(e.name), "\(e.name)") }
        let m = try JSONValue.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("un/manifest.json")))))
        #expect(m["name"] == "demo" && m["description"] == "demo" && m["format_version"] == "1.0")
    }

    @Test func packIsDeterministicAcrossThreadCountsAndUsesSourceDateEpoch() throws {
        let dir = try TempDir()
        try Fixtures.safetensors(at: dir.path("in.safetensors"))
        let env = ["SOURCE_DATE_EPOCH": "1767225600"]  // 2026-01-01T00:00:00Z
        let one = try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("a.pave"), "--name", "a", "--threads", "1", "--chunk-size", "4096"], environment: env)
        let two = try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("b.pave"), "--name", "a", "--threads", "2", "--chunk-size", "4096"], environment: env)
        #expect(one.status == 0 && two.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("a.pave"))) == Data(contentsOf: URL(fileURLWithPath: dir.path("b.pave"))))
        let created = try JSONValue.parse(Array(try CLI.run(["inspect", dir.path("a.pave"), "--json"]).stdout.utf8))["manifest"]?["created"]
        #expect(created == "2026-01-01T00:00:00Z")
        #expect(try PaveFile.open(URL(fileURLWithPath: dir.path("a.pave"))).manifest.name == "a")
    }

    @Test func damagedFileExitsOneNamingTheTensor() throws {
        let dir = try TempDir()
        try Fixtures.safetensors(at: dir.path("in.safetensors"))
        #expect(try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("x.pave")]).status == 0)
        let url = URL(fileURLWithPath: dir.path("x.pave"))
        let f = try PaveFile.open(url)
        let e = try #require(f.entry("layer.weight"))
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[e.chunks[0].offset + 100] ^= 0xFF
        try Data(bytes).write(to: url)
        let v = try CLI.run(["verify", dir.path("x.pave")])
        #expect(v.status == 1)
        #expect(v.stderr.contains("\"layer.weight\" chunk 0 at byte offset \(e.chunks[0].offset)"), "\(v.stderr)")
        #expect(v.stdout.contains("FAILED"))
        let j = try JSONValue.parse(Array(try CLI.run(["verify", dir.path("x.pave"), "--json"]).stdout.utf8))
        #expect(j["problems"]?.arrayValue?.first?["code"] == "format.chunk")
        // unpack refuses and leaves nothing behind.
        let u = try CLI.run(["unpack", dir.path("x.pave"), "-o", dir.path("out")])
        #expect(u.status == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
    }

    @Test func foreignFilesAndUsageErrorsHaveTheirExitStatus() throws {
        let dir = try TempDir()
        try Fixtures.safetensors(at: dir.path("in.safetensors"))
        let st = try CLI.run(["verify", dir.path("in.safetensors")])
        #expect(st.status == 1)
        #expect(st.stderr.contains("is a safetensors file"))
        try Data("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n".utf8).write(to: URL(fileURLWithPath: dir.path("lfs.pave")))
        let lfs = try CLI.run(["inspect", dir.path("lfs.pave"), "--json"])
        #expect(lfs.status == 1)
        #expect(try JSONValue.parse(Array(lfs.stdout.utf8))["error"]?["code"] == "format.not_pave")
        #expect(try CLI.run(["verify", dir.path("missing.pave")]).status == 2)
        #expect(try CLI.run(["verify"]).status == 2)
        #expect(try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("y.pave"), "--level", "99"]).status == 2)
        #expect(try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("y.pave"), "--created", "yesterday"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("y.pave")))
    }

    @Test func packRefusesAPatchNameTheRegistryWouldRefuse() throws {
        let dir = try TempDir()
        try Fixtures.safetensors(at: dir.path("in.safetensors"))
        let r = try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("out.pave"), "--name", "video+audio"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("invalid patch name \"video+audio\": byte 5 is not allowed"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.pave")))
        // The default name (the output file's stem) follows the same rule.
        let stem = try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("my patch.pave")])
        #expect(stem.status == 1 && stem.stderr.contains("invalid patch name \"my patch\""), "\(stem.stderr)")
        let json = try CLI.run(["pack", dir.path("in.safetensors"), "-o", dir.path("out.pave"), "--name", "a/b", "--json"])
        #expect(json.status == 1 && json.stdout.contains("format.patch_name"), "\(json.stdout)")
    }

    @Test func duplicateNamesAcrossInputsFailWithoutPartialOutput() throws {
        let dir = try TempDir()
        try Fixtures.safetensors(at: dir.path("a.safetensors"))
        try Fixtures.safetensors(at: dir.path("b.safetensors"))
        let r = try CLI.run(["pack", dir.path("a.safetensors"), dir.path("b.safetensors"), "-o", dir.path("out.pave")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("appears in both"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["a.safetensors", "b.safetensors"])
        // Distinct names across files pack fine.
        try Fixtures.safetensors(at: dir.path("c.safetensors"), prefix: "other.")
        #expect(try CLI.run(["pack", dir.path("a.safetensors"), dir.path("c.safetensors"), "-o", dir.path("ok.pave")]).status == 0)
        #expect(try PaveFile.open(URL(fileURLWithPath: dir.path("ok.pave"))).entries.count == 10)
    }
}

@Suite
struct SamplesTests {
    @Test func samplesBuildDeterministically() throws {
        let a = try TempDir(), b = try TempDir()
        #expect(try CLI.run(["generate-samples", "--out", a.url.path], tool: "pavepkg-bench").status == 0)
        #expect(try CLI.run(["generate-samples", "--out", b.url.path], tool: "pavepkg-bench").status == 0)
        let name = "pave-7b-audio-fusion.safetensors"
        let f = try SafetensorsFile(a.url.appendingPathComponent(name))
        #expect(f.entries.count == 30)
        #expect(f.entries.reduce(0) { $0 + (Shape.elementCount($1.shape) ?? 0) } == 8_996_352)
        #expect(f.entries.allSatisfy { $0.dtype == .bf16 })
        #expect(f.entry("output_mapping.2.weight")?.shape == [3584, 1024])
        #expect(try Data(contentsOf: a.url.appendingPathComponent(name)) == Data(contentsOf: b.url.appendingPathComponent(name)))
        // The sample packs and verifies.
        let pack = try CLI.run(["pack", a.url.appendingPathComponent(name).path, "-o", a.path("s.pave"),
                                "--manifest", a.path("pave-7b-audio-fusion.manifest.json")])
        #expect(pack.status == 0, "\(pack.stderr)")
        #expect(try CLI.run(["verify", a.path("s.pave")]).status == 0)
        let committed = CLI.root.appendingPathComponent("samples/tiny.pave")
        #expect(try CLI.run(["verify", committed.path]).status == 0)
    }
}
