import Foundation
import PaveKit
import PaveTestSupport

/// The base-signature part of the benchmark executable:
///
/// - `pavepkg-bench make-model-dir PRESET OUT [--shards N] [--fill sparse|SEED]` writes a LLaVA-OneVision
///   model directory from the published config (real headers; a hole or seeded bytes for the data);
///   presets: `llava-onevision-qwen2-0.5b-ov`, `llava-onevision-qwen2-7b-ov`.
/// - `pavepkg-bench signature DIR [--threads N] [--repeat K]` times the structural signature (headers only)
///   and the content fingerprint, and prints the hashing rate.
enum SignatureBench {
    /// Writes a model directory for `preset` to `output`.
    static func makeModelDir(preset: ModelDirectoryBuilder.Preset, output: URL, shards: Int, fill: ModelDirectoryBuilder.Fill, fillLabel: String) throws {
        let builder = try ModelDirectoryBuilder(config: preset.config, dtype: .bf16, shardCount: shards, fill: fill)
        let names = try builder.write(to: output)
        print("wrote \(output.path): config.json + \(names.count) shard(s), \(builder.tensors.count) tensors (\(fillLabel))")
    }

    /// Times the structural signature and the content fingerprint of the model directory at `url`.
    static func signature(_ url: URL, threads: Int, repeats: Int) throws {
        var best = Double.infinity
        var sig = ""
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let dir = try ModelDirectory(url)
            sig = dir.description.structuralSignature
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let dir = try ModelDirectory(url)
        print(String(format: "structural signature: %.1f ms (best of %d; %d shards, %d covered tensors) %@", best * 1000, repeats, dir.shards.count, dir.locations.count, sig))
        var bestHash = Double.infinity
        var fp = ""
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            fp = try ContentFingerprint.compute(dir, threads: threads).fingerprint
            bestHash = min(bestHash, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let mb = Double(dir.coveredByteCount) / 1e6
        print(String(format: "content fingerprint: %.0f MB in %.2f s = %.0f MB/s (%d threads, best of %d) %@", mb, bestHash, mb / bestHash, threads, repeats, fp))
    }
}
