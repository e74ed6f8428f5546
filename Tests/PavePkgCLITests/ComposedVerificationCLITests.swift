import Foundation
import PaveKit
import Testing

/// A composed file is verified member by member everywhere: `verify` and `install` refuse a wrong member weight
/// (issue 10), and `compose` refuses a damaged input with exit status 1.
@Suite struct ComposedVerificationCLITests {
    @Test func aComposedFileWithAWrongMemberWeightFailsVerifyAndIsNotInstalled() throws {
        let dir = try TempDir()
        let home = dir.path("home")
        let video = try ComposeCLITests.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let audio = try ComposeCLITests.pack("audio", seed: 2, inputDim: 5, rank: 3, in: dir)
        #expect(try CLI.run(["compose", video, audio, "--weight", "audio=0.5", "--name", "av", "-o", dir.path("av.pave")]).status == 0)
        #expect(try CLI.run(["unpack", dir.path("av.pave"), "-o", dir.path("un")]).status == 0)

        // One weight of one member changed, packed again with the unpacked manifest: the container is fine.
        let st = try SafetensorsFile(URL(fileURLWithPath: dir.path("un/tensors.safetensors")))
        var tensors: [(String, TensorData)] = []
        for e in st.entries {
            var t = try st.tensor(e.name)
            if e.name == "m.video/fusion.output_norm.weight" {
                var f = try FloatTensor(t, name: e.name)
                f.values[0] += 0.25
                t = f.tensorData()
            }
            tensors.append((e.name, t))
        }
        try SafetensorsWriter.write(tensors, to: URL(fileURLWithPath: dir.path("tampered.safetensors")))
        let pack = try CLI.run(["pack", dir.path("tampered.safetensors"), "--manifest", dir.path("un/manifest.json"), "-o", dir.path("bad.pave")])
        #expect(pack.status == 0, "\(pack.stderr)")

        let verify = try CLI.run(["verify", dir.path("bad.pave")])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("FAIL member video") && verify.stdout.contains("FAILED"), "\(verify.stdout)")
        #expect(verify.stdout.contains("ok   member audio"))

        let install = try CLI.run(["install", dir.path("bad.pave")], environment: ["PAVE_HOME": home])
        #expect(install.status == 1, "\(install.stdout)\(install.stderr)")
        #expect(install.stderr.contains("failed verification, not installed") && install.stderr.contains("member video"), "\(install.stderr)")
        #expect(try CLI.run(["list"], environment: ["PAVE_HOME": home]).stdout.contains("(no patches)"))
        // With --base, every member is checked against it (the 0.5B LLM is wider than these toy members).
        let sig = CLI.root.appendingPathComponent("samples/base-signatures/llava-onevision-qwen2-0.5b-ov.sig.json").path
        let wrongBase = try CLI.run(["install", dir.path("av.pave"), "--base", sig], environment: ["PAVE_HOME": home])
        #expect(wrongBase.status == 1, "\(wrongBase.stderr)")
        #expect(wrongBase.stderr.contains("member video base.compatibility"), "\(wrongBase.stderr)")
        // The untouched file installs.
        let good = try CLI.run(["install", dir.path("av.pave")], environment: ["PAVE_HOME": home])
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test func aDamagedInputOfComposeExitsOne() throws {
        let dir = try TempDir()
        let video = try ComposeCLITests.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let audio = try ComposeCLITests.pack("audio", seed: 2, inputDim: 5, rank: 3, in: dir)
        let url = URL(fileURLWithPath: audio)
        let e = try #require(try PaveFile.open(url).entry("fusion.input_mapping.weight"))
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[e.chunks[0].offset + e.chunks[0].storedLength / 2] ^= 0x40
        try Data(bytes).write(to: url)
        let r = try CLI.run(["compose", video, audio, "-o", dir.path("x.pave")])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("failed verification") && r.stderr.contains("fusion.input_mapping.weight"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.pave")))
        // run on the damaged patch: exit 1 as well (damage, not I/O).
        let inputs = try ComposeCLITests.inputs([("side", 5)], in: dir)
        let run = try CLI.run(["run", audio, "--inputs", inputs, "-o", dir.path("o.safetensors")])
        #expect(run.status == 1, "\(run.stderr)")
    }

    @Test func packNamesAMissingInputAndInspectPointsAZippedCheckpointToPack() throws {
        let dir = try TempDir()
        let r = try CLI.run(["pack", dir.path("nothere.safetensors"), "-o", dir.path("x.pave")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("nothere.safetensors") && r.stderr.contains("No such file or directory"), "\(r.stderr)")
        #expect(!r.stderr.contains("modification time"))
        // A released checkpoint given where a .pave is expected: named, with the way to pack it.
        for checkpoint in ["Tests/Fixtures/torch/pave_tiny_lora.zip", "Tests/Fixtures/torch/pave_tiny_lora"] {
            let inspect = try CLI.run(["inspect", CLI.root.appendingPathComponent(checkpoint).path])
            #expect(inspect.status == 1, "\(inspect.stderr)")
            #expect(inspect.stderr.contains("holding a PAVE training checkpoint") && inspect.stderr.contains("`pavepkg pack`"), "\(inspect.stderr)")
        }
    }
}
