import Foundation
import FuzzSupport
import PaveKit

/// A base model directory from memory: the input is split into `config.json`, then either
/// `model.safetensors` or `model.safetensors.index.json` plus up to two shards (see ``FuzzSupport/splitFiles``).
/// Opens it as `pavepkg signature --content` does, then computes the structural signature and content fingerprint.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBaseModel(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let parts = splitFiles(fuzzBytes(data, size))
    guard let config = parts.first else { return 0 }
    var files = ["config.json": config]
    if parts.count == 2 {
        files["model.safetensors"] = parts[1]
    } else if parts.count >= 3 {
        files["model.safetensors.index.json"] = parts[1]
        files["model-00001-of-00002.safetensors"] = parts[2]
        if parts.count >= 4 { files["model-00002-of-00002.safetensors"] = parts[3] }
    }
    guard let dir = try? ModelDirectory(files: MemoryModelFiles(files), url: memoryURL) else { return 0 }
    let signature = BaseSignature(name: BaseSignature.defaultName(dir), description: dir.description)
    _ = signature.structuralSignature
    // The content fingerprint reads every covered tensor's bytes (bounded by the input's size).
    _ = try? ContentFingerprint.compute(dir, threads: 1)
    return 0
}
