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
            (N, out). With --lora only, visual/side may be absent. Outputs are F32, written atomically. \
            Several patches (or a composed file) run as a stack: fused = Σ wᵢ·fᵢ(visual, side.NAME), \
            lora_delta = Σ wᵢ·sᵢ·x·Aᵢᵀ·Bᵢᵀ, one input side.NAME per patch (plain side when only one has a \
            fusion module); see spec/composition.md.
            """
    )

    @Argument(help: "The .pave patch. Several patches, or a composed file, run as a stack (spec/composition.md).",
              completion: .file(extensions: ["pave"]))
    var patches: [String]

    @Option(name: .customLong("weight"), help: ArgumentHelp("Stacks: weight of a patch (repeatable; default 1).", valueName: "NAME=W"))
    var weights: [StackWeight] = []

    @Option(name: .customLong("rename"), help: ArgumentHelp("Stacks: rename a member and its side input (KEY: name or #k).", valueName: "KEY=NEW"))
    var renames: [MemberRename] = []

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
            let pave = try PatchArgument.open(patches[0])
            if isStackRun(pave) { return try runStack(first: pave, start: start) }
            let spec = try PatchSpec(manifest: pave.manifest)
            guard spec.isPAVEPatch else { throw ExecutorError.notInPatch(what: "fusion module or LoRA adapters (the manifest declares no PAVE patch)") }
            try spec.validate(pave.tensorInfos)
            let executor = try PatchExecutor(spec: spec, tensors: pave, threads: threads)
            let inputFile = try SafetensorsFile(URL(fileURLWithPath: inputs))
            let outputs = try executor.run(inputs: inputFile, loraModules: loraModules, chunkNum: chunkNum, sideLength: sideLength)
            try RunOutput.write(outputs, to: output, start: start, json: json)
        }
    }
}
