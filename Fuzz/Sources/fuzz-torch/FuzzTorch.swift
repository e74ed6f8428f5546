import FuzzSupport
import PaveKit

/// A `torch.save` checkpoint (zip form) from memory: the archive, `data.pkl` through the restricted pickle
/// reader, storages and views; then every tensor is loaded (contiguous or gathered).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let file = try? TorchCheckpointFile(bytes: fuzzBytes(data, size), name: "(fuzz)") else { return 0 }
    for t in file.tensors { _ = try? file.load(t) }
    return 0
}
