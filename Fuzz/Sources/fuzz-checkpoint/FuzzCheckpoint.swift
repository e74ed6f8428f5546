import Foundation
import FuzzSupport
import PaveKit

/// Options as `pavepkg pack CHECKPOINT.zip --heads 2` gives them (the seed is the 2-head fixture); the adapter's
/// safetensors is extracted to /dev/shm when it exists (memory, not disk).
let options: CheckpointImportOptions = {
    let shm = URL(fileURLWithPath: "/dev/shm")
    return CheckpointImportOptions(heads: 2, created: "2026-01-01T00:00:00Z", tool: "pavepkg-fuzz",
                                   temporaryDirectory: FileManager.default.fileExists(atPath: shm.path) ? shm : nil)
}()

/// A PAVE training checkpoint as `pavepkg pack CHECKPOINT.zip` sees it: the zip, its side files
/// (`config.json`, `adapter_config.json`), `non_lora_trainables.bin`, `adapter_model.safetensors`; then every
/// imported tensor is read. Then the same bytes imported as `pack` does, with the adapter streamed while it
/// inflates: it must agree — the same manifest once its deferred values are filled in and the same tensor
/// bytes, or a refusal somewhere (import, a read, or the deferred values) when the plain import refused.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    var plain: (manifest: [UInt8], tensors: [[UInt8]])?
    if let checkpoint = try? PaveCheckpointImporter.load(zipBytes: bytes, name: "checkpoint.zip", options: options) {
        let loaded = checkpoint.tensors.map { (try? $0.load())?.bytes }
        if loaded.allSatisfy({ $0 != nil }) {
            plain = (Array(checkpoint.manifest.canonicalData()), loaded.map { $0 ?? [] })
        }
    }
    if let streamed = streamedImport(bytes), let plain {
        if streamed.manifest != plain.manifest { fatalError("streamed import: another manifest") }
        if streamed.tensors != plain.tensors { fatalError("streamed import: other tensor bytes") }
    } else if plain != nil {
        fatalError("streamed import refused a checkpoint the plain import accepts")
    }
    return 0
}

/// The import with the adapter streamed; nil when it, a tensor read or a deferred value fails (a plain import
/// that succeeds must then have failed as well: checked by the caller only in that direction).
func streamedImport(_ bytes: [UInt8]) -> (manifest: [UInt8], tensors: [[UInt8]])? {
    var o = options
    o.streamAdapter = true
    guard let checkpoint = try? PaveCheckpointImporter.load(zipBytes: bytes, name: "checkpoint.zip", options: o) else { return nil }
    var tensors: [[UInt8]] = []
    for t in checkpoint.tensors {
        guard let data = try? t.load() else { return nil }
        tensors.append(data.bytes)
    }
    var manifest = Array(checkpoint.manifest.canonicalData())
    if let deferred = checkpoint.deferred {
        guard let resolved = try? deferred.resolve(manifest) else { return nil }
        manifest = resolved
    }
    return (manifest, tensors)
}
