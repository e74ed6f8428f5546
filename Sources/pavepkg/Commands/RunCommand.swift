import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg run PATCH --inputs IN.safetensors -o OUT.safetensors [--lora MODULE]...`: the patch's fusion forward
/// and LoRA deltas in fp32 on the CPU.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a PAVE patch: fusion forward and LoRA deltas (exact fp32, CPU).",
        discussion: """
            Inputs: visual (T_q, S_q, query width) and side (T_k, H, W, input width) → output fused (T_q·S_q, output \
            width), row t·S_q + s. For each --lora MODULE: lora_x (N, in) — or lora_x.MODULE — → lora_delta.MODULE \
            (N, out). With --lora only, visual/side may be absent. Outputs are F32, written atomically.
            """
    )

    @Argument(help: "The .pave patch.", completion: .file(extensions: ["pave"]))
    var patch: String

    @Option(help: "Input safetensors (visual, side, lora_x, lora_x.MODULE).", completion: .file(extensions: ["safetensors"]))
    var inputs: String

    @Option(name: .shortAndLong, help: "Output safetensors.")
    var output: String

    @Option(name: .customLong("lora"), help: "A LoRA target module whose delta to compute (repeatable).")
    var loraModules: [String] = []

    @Option(help: "PAVE chunk_num: the side is upsampled in time when shorter (default T_q).")
    var chunkNum: Int?

    @Option(help: "PAVE frame_num: use only the first N side frames (default T_k).")
    var sideLength: Int?

    @Option(help: "Worker threads (the output does not depend on it).")
    var threads: Int?

    @Flag(help: "Print a JSON summary.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let start = Date()
            let pave = try PaveFile.open(URL(fileURLWithPath: patch))
            let spec = try PatchSpec(manifest: pave.manifest)
            guard spec.isPAVEPatch else { throw ExecutorError.notInPatch(what: "fusion module or LoRA adapters (the manifest declares no PAVE patch)") }
            try spec.validate(pave.tensorInfos)
            let executor = try PatchExecutor(spec: spec, tensors: pave, threads: threads)
            let inputFile = try SafetensorsFile(URL(fileURLWithPath: inputs))
            let outputs = try executor.run(inputs: inputFile, loraModules: loraModules, chunkNum: chunkNum, sideLength: sideLength)
            try SafetensorsWriter.write(outputs.map { ($0.name, $0.tensor.tensorData()) }, to: URL(fileURLWithPath: output))
            let seconds = Date().timeIntervalSince(start)
            if json {
                CLIOutput.printJSON(.object([
                    "output": .string(output), "seconds": .double(seconds),
                    "tensors": .array(outputs.map { .object(["name": .string($0.name), "shape": .array($0.tensor.shape.map { .int(Int64($0)) })]) }),
                ]))
            } else {
                for o in outputs { print("\(o.name) \(Shape.describe(o.tensor.shape))") }
                print("wrote \(output) (\(String(format: "%.3f", seconds)) s)")
            }
        }
    }
}
