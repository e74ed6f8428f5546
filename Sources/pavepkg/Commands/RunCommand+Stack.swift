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
        let stack = try PatchStack.build(files.map { StackInput(file: $0) },
                                         weights: try weights.map { try StackArguments.weight($0) },
                                         renames: try renames.map { try StackArguments.rename($0) })
        let executor = try StackExecutor(stack: stack, threads: threads)
        let inputFile = try SafetensorsFile(URL(fileURLWithPath: inputs))
        let outputs = try executor.run(inputs: inputFile, loraModules: loraModules, chunkNum: chunkNum, sideLength: sideLength)
        try SafetensorsWriter.write(outputs.map { ($0.name, $0.tensor.tensorData()) }, to: URL(fileURLWithPath: output))
        let seconds = Date().timeIntervalSince(start)
        if json {
            CLIOutput.printJSON(.object([
                "output": .string(output), "seconds": .double(seconds),
                "members": .array(stack.members.map { m in
                    .object(["name": .string(m.name), "weight": .double(m.weight), "side_input": .string(stack.sideInputName(for: m)),
                             "digest": .string(m.digest)])
                }),
                "tensors": .array(outputs.map { .object(["name": .string($0.name), "shape": .array($0.tensor.shape.map { .int(Int64($0)) })]) }),
            ]))
        } else {
            let members = stack.members.map { "\($0.name) w=\(StackComposer.formatWeight($0.weight))" }
            print("stack of \(stack.members.count): \(members.joined(separator: ", "))")
            for o in outputs { print("\(o.name) \(Shape.describe(o.tensor.shape))") }
            print("wrote \(output) (\(String(format: "%.3f", seconds)) s)")
        }
    }
}
