import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg compose A.pave B.pave ... -o STACK.pave`: one composed artifact (spec/composition.md §4).
struct ComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Stack several patches into one composed .pave (exact; optionally merge their LoRA adapters).",
        discussion: """
            fused = Σ wᵢ·fᵢ(visual, sideᵢ) and, per LoRA module, delta(x) = Σ wᵢ·sᵢ·x·Aᵢᵀ·Bᵢᵀ. Running the composed \
            file gives bit-identical output to `pavepkg run A.pave B.pave ...`. A composed input is flattened (its \
            weights multiplied). Patches must share one base model, query width and output width; LoRA modules \
            targeted twice must agree in shape; side-channel names must be unique (--rename). \
            --merge-lora cat writes one exact adapter of rank Σrᵢ; --merge-lora svd:R a rank-R approximation and \
            its relative Frobenius error per module. See spec/composition.md.
            """
    )

    @Argument(help: "Patches to stack, in summation order: .pave files (plain or composed) or installed NAME[:VERSION].",
              completion: .file(extensions: ["pave"]))
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .pave file.")
    var output: String

    @Option(name: .customLong("weight"), help: ArgumentHelp("Weight of a patch (repeatable; default 1).", valueName: "NAME=W"))
    var weights: [StackWeight] = []

    @Option(name: .customLong("rename"), help: ArgumentHelp("Rename a member and its side channel (KEY: name or #k).", valueName: "KEY=NEW"))
    var renames: [MemberRename] = []

    @Option(help: "Name of the composed patch.")
    var name: String = "stack"

    @Option(help: "Version of the composed patch (semver).")
    var version: String = "0.1.0"

    @Option(help: "Description (default: the members and their weights).")
    var description: String?

    @Option(help: ArgumentHelp("Creation time, RFC 3339 (default: SOURCE_DATE_EPOCH, else the newest member's `created`).", valueName: "RFC3339"))
    var created: Timestamp?

    @Option(name: .customLong("merge-lora"), help: ArgumentHelp("Merge the members' LoRA adapters.", valueName: "cat|svd:R"))
    var mergeLoRA: LoRAMergeMode?

    @Option(help: "zstd level, 1 … 22.")
    var level: Int = 3

    @Option(help: "Worker threads (the output does not depend on it).")
    var threads: Int = ParallelWork.defaultThreads

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let files = try inputs.map { try PatchArgument.open($0) }
            let progress = ProgressLine("composing", total: 0)
            let request = ComposeRequest(weights: weights, renames: renames, name: name, version: version, description: description,
                                         created: created?.date, tool: "pavepkg \(PaveKitVersion.string)", mergeLoRA: mergeLoRA,
                                         options: PackOptions(level: level, threads: threads, progress: { done, total in progress.update(done, total: total) }))
            let result = try PatchComposer.compose(files, request: request, to: URL(fileURLWithPath: output))
            progress.finish()
            let (summary, stack, merge) = (result.summary, result.stack, result.loraMerge)
            if json {
                var obj: [String: JSONValue] = try JSONValue.from(summary).objectValue ?? [:]
                obj["members"] = .array(stack.members.map { .object(["name": .string($0.name), "weight": .double($0.weight), "digest": .string($0.digest)]) })
                if let merge { obj["lora_merge"] = try JSONValue.from(merge) }
                CLIOutput.printJSON(.object(obj))
            } else {
                print("wrote \(summary.path): \(stack.members.count) members, \(summary.tensorCount) tensors, \(ProgressLine.bytes(Int64(summary.fileBytes)))")
                for m in stack.members { print("  \(m.name)  w=\(StackComposer.formatWeight(m.weight))  \(m.digest)") }
                if let merge {
                    print("lora merged (\(merge.mode)): rank \(merge.rank)")
                    if let errors = merge.relativeFrobeniusError, let worst = errors.max(by: { $0.value < $1.value }) {
                        let mean = errors.values.reduce(0, +) / Double(max(1, errors.count))
                        print(String(format: "  relative Frobenius error: worst %.3g (%@), mean %.3g over %d modules", worst.value, worst.key, mean, errors.count))
                    }
                }
                print("digest \(summary.digest)")
            }
        }
    }
}
