import Foundation
import PaveCompose
import PaveExecutor
import PaveFormat
import PaveModel
import PavePipeline

/// Tests/Fixtures/executor (real PAVE outputs) and temporary directories for the pipeline tests.
enum PipelineFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/executor")

    static func file(_ name: String) throws -> SafetensorsFile { try SafetensorsFile(directory.appendingPathComponent(name)) }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pave-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The inputs of `pack r2.weights.safetensors lora.safetensors --manifest m.json`: a RoPE patch in BF16 plus
    /// an rsLoRA module, written into `dir`. Returns the request (no reference vectors).
    static func request(in dir: URL, layers: Int? = nil) throws -> PackRequest {
        let w = try file("r2.weights.safetensors")
        var arch = try JSONValue.parse(Array((w.metadata["fusion"] ?? "{}").utf8)).decode(FusionArchitecture.self)
        if let layers { arch.layers = layers }
        var m = Manifest(name: "e2e", version: "1.0.0")
        m.created = "2026-01-01T00:00:00Z"
        try PatchSpec(fusion: arch, lora: LoRAConfig(r: 4, alpha: 8, useRSLoRA: true, targetModules: ["m.q_proj"], tensorPrefix: "lora."),
                      sideChannel: SideChannel(kind: .threeD, layout: .init(t: 32, h: 3, w: 3, c: 8))).write(into: &m)
        let manifest = dir.appendingPathComponent("m.json")
        try Data(m.canonicalData()).write(to: manifest)
        let l = try file("lora.peft.safetensors")
        let lora = dir.appendingPathComponent("lora.safetensors")
        try SafetensorsWriter.write([("lora.m.q_proj.lora_A.weight", try l.tensor("rslora.A")), ("lora.m.q_proj.lora_B.weight", try l.tensor("rslora.B"))], to: lora)
        return PackRequest(input: .safetensors([directory.appendingPathComponent("r2.weights.safetensors"), lora]), manifestFile: manifest,
                           tool: "pipeline-tests", environment: [:])
    }

    /// A small PAVE patch (fusion `inputDim` → 16, LoRA on one q_proj) packed by ``PatchPacker`` into `dir`.
    static func patch(_ name: String, seed: UInt64, inputDim: Int, rank: Int, in dir: URL) throws -> URL {
        var rng = SplitMix64(seed: seed)
        func values(_ n: Int, _ scale: Float) -> [Float] {
            (0..<n).map { _ in (Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
        }
        let arch = FusionArchitecture(inputDim: inputDim, embedDim: 8, queryDim: 12, hiddenDim: 8, outputDim: 16, heads: 2, layers: 1)
        var tensors: [(name: String, tensor: TensorData)] = []
        for p in arch.parameters {
            var v = values(p.shape.reduce(1, *), 0.5)
            if p.name.hasSuffix("norm.weight") || p.name.hasSuffix("ffn.0.weight") { v = v.map { 1 + $0 * 0.2 } }
            tensors.append((arch.tensorPrefix + p.name, try TensorData.f32(shape: p.shape, v)))
        }
        let q = "model.layers.0.self_attn.q_proj"
        let lora = LoRAConfig(r: rank, alpha: Double(2 * rank), targetModules: [q])
        let (a, b) = lora.tensorNames(module: q)
        tensors.append((a, try TensorData.f32(shape: [rank, 16], values(rank * 16, 1))))
        tensors.append((b, try TensorData.f32(shape: [16, rank], values(16 * rank, 1))))
        let weights = dir.appendingPathComponent("\(name).safetensors")
        try SafetensorsWriter.write(tensors, to: weights)
        var m = Manifest(fields: [:])
        try m.encode(arch, forKey: ManifestKey.fusion)
        try m.encode(lora, forKey: ManifestKey.lora)
        let manifest = dir.appendingPathComponent("\(name).json")
        try Data(m.canonicalData()).write(to: manifest)
        let out = dir.appendingPathComponent("\(name).pave")
        try PatchPacker.pack(PackRequest(input: .safetensors([weights]), manifestFile: manifest, name: name,
                                         created: RFC3339.parse("2026-01-01T00:00:00Z"), tool: "pipeline-tests", environment: [:]), to: out)
        return out
    }

    /// `video` and `audio` composed (audio weighted 0.5) with the stack's self-check, written to `dir/av.pave`
    /// by ``PatchComposer``.
    static func composed(in dir: URL) throws -> URL {
        let video = try PaveFile.open(try patch("video", seed: 1, inputDim: 6, rank: 2, in: dir))
        let audio = try PaveFile.open(try patch("audio", seed: 2, inputDim: 5, rank: 3, in: dir))
        let out = dir.appendingPathComponent("av.pave")
        let result = try PatchComposer.compose([video, audio], request: ComposeRequest(weights: [StackWeight(key: "audio", weight: 0.5)], name: "av",
                                                                                      version: "1.0.0", tool: "pipeline-tests", environment: [:]), to: out)
        guard result.stack.members.map(\.name) == ["video", "audio"] else { throw PipelineTestError("unexpected members") }
        return out
    }
}

struct PipelineTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
