import Foundation
import PaveKit

/// `pavepkg-bench generate-samples`: the sample inputs of `samples/`.
enum Samples {
    /// Writes into `dir`:
    /// - `pave-7b-audio-fusion.safetensors`: the `VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B` fusion module,
    ///   30 BF16 tensors, 8,996,352 parameters (17,992,704 bytes);
    /// - `pave-7b-audio-fusion.manifest.json`: a manifest to pack it with;
    /// - `tiny.safetensors`: a 4-tensor miniature of the same module (a few KB) for the docs;
    /// - the two demo patches of ``DemoSamples`` (audio and video, fusion module + LoRA, with manifests).
    static func generate(into dir: URL, seed: UInt64) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let specs = SampleGenerator.paveFusionModule()
        let params = specs.reduce(0) { $0 + (Shape.elementCount($1.shape) ?? 0) }
        guard specs.count == 30, params == 8_996_352 else {
            throw BenchError("sample module has \(specs.count) tensors / \(params) parameters, expected 30 / 8,996,352")
        }
        let big = dir.appendingPathComponent("pave-7b-audio-fusion.safetensors")
        try SafetensorsWriter.write(try SampleGenerator.tensors(specs, seed: seed), to: big)
        let manifest: JSONValue = [
            "name": "pave-7b-audio-fusion-sample",
            "version": "0.1.0",
            "description": "Synthetic stand-in for PAVE's VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B fusion module (random weights, fixed seed).",
            "license": "CC0-1.0",
            "authors": ["pavepkg samples"],
            "tags": ["sample", "audio", "7b"],
        ]
        try AtomicFileWriter.write(manifest.prettyData(), to: dir.appendingPathComponent("pave-7b-audio-fusion.manifest.json"))

        let tinySpecs: [SampleGenerator.Spec] = [
            .init(name: "input_mapping.weight", shape: [16, 24], kind: .linear(fanIn: 24)),
            .init(name: "input_mapping.bias", shape: [16], kind: .bias),
            .init(name: "output_norm.weight", shape: [16], kind: .normWeight),
            .init(name: "output_norm.bias", shape: [16], kind: .normBias),
        ]
        try SafetensorsWriter.write(try SampleGenerator.tensors(tinySpecs, seed: seed), to: dir.appendingPathComponent("tiny.safetensors"))
        print("wrote \(big.path): \(specs.count) tensors, \(params) BF16 parameters (seed \(seed))")
        print("wrote \(dir.appendingPathComponent("tiny.safetensors").path) and the sample manifest")
        try DemoSamples.generate(into: dir)
    }
}
