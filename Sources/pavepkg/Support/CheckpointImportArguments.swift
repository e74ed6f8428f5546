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
    var rope: String?

    @Option(help: "Import this checkpoint-N folder instead of the top-level files.")
    var checkpoint: String?

    /// Library options (manifest name / version / created from the caller).
    func options(name: String?, version: String?, created: String?, progress: PhasedProgress?) throws -> CheckpointImportOptions {
        var mode: RoPEMode?
        if let rope {
            guard let m = RoPEMode(rawValue: rope) else { throw ValidationError("--rope must be none or 3d, not \"\(rope)\"") }
            mode = m
        }
        if let heads, heads < 1 { throw ValidationError("--heads must be a positive integer") }
        return CheckpointImportOptions(preset: preset, heads: heads, rope: mode, name: name, version: version, created: created,
                                       checkpoint: checkpoint, tool: "pavepkg \(PaveKitVersion.string)", progress: progress?.callback)
    }

    /// Whether `path` looks like a checkpoint to import (a directory, or a `.zip`).
    static func isCheckpoint(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return false }
        return isDir.boolValue || path.lowercased().hasSuffix(".zip")
    }
}
