import Foundation
import Testing

/// Every input kept under Tests/Fixtures/fuzz/HARNESS/ (crashers and differential cases found by fuzzing, see
/// scripts/fuzz.sh) goes through the CLI command that reads that kind of file: the process must exit with 0, 1
/// or 2 and, when it refuses, print a named error — never die of a signal.
struct FuzzRegressionTests {
    static let fixtures = CLI.root.appendingPathComponent("Tests/Fixtures/fuzz")

    static func inputs(_ harness: String) -> [URL] {
        let dir = fixtures.appendingPathComponent(harness)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// The separator of multi-file inputs (Fuzz/Sources/FuzzSupport/FuzzInput.swift).
    static let separator = Array("\n--PAVEFUZZ--\n".utf8)

    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = [], start = 0, i = 0
        while i + separator.count <= bytes.count {
            if bytes[i..<i + separator.count].elementsEqual(separator) { parts.append(Array(bytes[start..<i])); i += separator.count; start = i } else { i += 1 }
        }
        parts.append(Array(bytes[start...]))
        return parts
    }

    func expectCleanExit(_ r: CLI.Result, _ what: String) {
        #expect([0, 1, 2].contains(r.status), "\(what): exit \(r.status)\n\(r.stderr.prefix(400))")
        if r.status != 0 { #expect(r.stderr.contains("error:"), "\(what): no named error\n\(r.stderr.prefix(400))") }
    }

    @Test func everyKeptInputExitsCleanly() throws {
        let dir = try TempDir()
        var count = 0
        for input in Self.inputs("fuzz-pave") {
            for command in ["verify", "inspect"] { expectCleanExit(try CLI.run([command, input.path]), "\(command) \(input.lastPathComponent)") }
            count += 1
        }
        for input in Self.inputs("fuzz-safetensors") {
            expectCleanExit(try CLI.run(["pack", input.path, "-o", dir.path("s.pave"), "--name", "s", "--version", "1.0.0"]), "pack \(input.lastPathComponent)")
            count += 1
        }
        let weights = dir.path("w.safetensors")
        try Fixtures.safetensors(at: weights)
        for input in Self.inputs("fuzz-manifest") {
            expectCleanExit(try CLI.run(["pack", weights, "--manifest", input.path, "-o", dir.path("m.pave"), "--name", "m", "--version", "1.0.0"]),
                            "pack --manifest \(input.lastPathComponent)")
            count += 1
        }
        for input in Self.inputs("fuzz-basemodel") {
            let parts = Self.split(try [UInt8](Data(contentsOf: input)))
            let model = dir.url.appendingPathComponent("model-\(count)")
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            var names = ["config.json"]
            names += parts.count == 2 ? ["model.safetensors"] : ["model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
            for (name, bytes) in zip(names, parts) { try Data(bytes).write(to: model.appendingPathComponent(name)) }
            expectCleanExit(try CLI.run(["signature", model.path]), "signature \(input.lastPathComponent)")
            count += 1
        }
        // Torch checkpoints and raw pickles stand in for non_lora_trainables.bin of a PAVE checkpoint directory.
        let checkpoint = CLI.root.appendingPathComponent("Tests/Fixtures/torch/pave_tiny_lora")
        for input in Self.inputs("fuzz-torch") + Self.inputs("fuzz-pickle") {
            let ckpt = dir.url.appendingPathComponent("ckpt-\(count)")
            try FileManager.default.createDirectory(at: ckpt, withIntermediateDirectories: true)
            for name in ["config.json", "adapter_config.json", "adapter_model.safetensors"] {
                try FileManager.default.copyItem(at: checkpoint.appendingPathComponent(name), to: ckpt.appendingPathComponent(name))
            }
            try FileManager.default.copyItem(at: input, to: ckpt.appendingPathComponent("non_lora_trainables.bin"))
            expectCleanExit(try CLI.run(["pack", ckpt.path, "-o", dir.path("c.pave"), "--heads", "2"]), "pack checkpoint with \(input.lastPathComponent)")
            count += 1
        }
        // Zip archives and PAVE checkpoint zips go to pack as a checkpoint .zip.
        for input in Self.inputs("fuzz-zip") + Self.inputs("fuzz-checkpoint") {
            let zip = dir.path("in-\(count).zip")
            try FileManager.default.copyItem(atPath: input.path, toPath: zip)
            expectCleanExit(try CLI.run(["pack", zip, "-o", dir.path("z.pave"), "--heads", "2"]), "pack \(input.lastPathComponent)")
            count += 1
        }
        #expect(count > 0, "no regression inputs under \(Self.fixtures.path)")
    }
}
