import ArgumentParser
import Foundation
import PaveKit

/// Options for reading a PAVE training output directory or zip (`pack`, `export`): what the checkpoint
/// does not say about the fusion module, and which folder to take.
struct CheckpointImportArguments: ParsableArguments {
    @Option(help: "Released model-arguments class the checkpoint was trained with (gives heads, RoPE and the side channel; see `pavepkg presets`).")
    var preset: String?

    @Option(help: "Fusion attention heads (num_cross_attn_head), when neither config.json nor --preset gives them.")
    var heads: Int?

    @Option(help: "Fusion RoPE mode: none or 3d (use_3d_rope), when neither config.json nor --preset gives it.")
    var rope: RoPEMode?

    @Option(help: "Import this checkpoint-N folder instead of the top-level files.")
    var checkpoint: String?

    func validate() throws {
        if let heads, heads < 1 { throw ValidationError("--heads must be a positive integer") }
    }

    /// The library options (`pack` sets name, version and created through its request).
    func options(progress: PhasedProgress?) -> CheckpointImportOptions {
        CheckpointImportOptions(preset: preset, heads: heads, rope: rope, checkpoint: checkpoint,
                                tool: "pavepkg \(PaveKitVersion.string)", progress: progress?.callback)
    }
}
