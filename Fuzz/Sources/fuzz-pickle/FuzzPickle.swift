import FuzzSupport
import PaveKit

/// A raw pickle (the `data.pkl` of a torch checkpoint, or a legacy `.bin`) through the restricted reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickle(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? TorchPickleReader.tensors(in: fuzzBytes(data, size), path: "(fuzz)")
    return 0
}
