import Foundation
import PaveKit

extension RunCommand {
    /// Whether this run is a stack (spec/composition.md §3): several patches, a composed file, or weights /
    /// renames given.
    func isStackRun(_ first: PaveFile) -> Bool {
        patches.count > 1 || !weights.isEmpty || !renames.isEmpty || first.manifest[ComposeManifestKey.members] != nil
    }

    /// Load-time stacking: `fused = Σ wᵢ·fᵢ(visual, side.<name>)`, `lora_delta.M = Σ wᵢ·sᵢ·x·Aᵢᵀ·Bᵢᵀ`.
    func runStack(first: PaveFile, start: Date) throws {
        let files = [first] + (try patches.dropFirst().map { try PatchArgument.open($0) })
        let stack = try PatchStack.build(files.map { StackInput(file: $0) }, weights: weights, renames: renames)
        let executor = try StackExecutor(stack: stack, threads: threads)
        let inputFile = try SafetensorsFile(URL(fileURLWithPath: inputs))
        let outputs = try executor.run(inputs: inputFile, loraModules: loraModules, chunkNum: chunkNum, sideLength: sideLength)
        let members = stack.members.map { "\($0.name) w=\(StackComposer.formatWeight($0.weight))" }
        try RunOutput.write(outputs, to: output, start: start, json: json, extraJSON: [
            "members": .array(stack.members.map { m in
                .object(["name": .string(m.name), "weight": .double(m.weight), "side_input": .string(stack.sideInputName(for: m)),
                         "digest": .string(m.digest)])
            }),
        ], heading: "stack of \(stack.members.count): \(members.joined(separator: ", "))")
    }
}
