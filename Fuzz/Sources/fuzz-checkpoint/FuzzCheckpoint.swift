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
/// imported tensor is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let checkpoint = try? PaveCheckpointImporter.load(zipBytes: fuzzBytes(data, size), name: "checkpoint.zip", options: options) else { return 0 }
    for t in checkpoint.tensors { _ = try? t.load() }
    return 0
}
