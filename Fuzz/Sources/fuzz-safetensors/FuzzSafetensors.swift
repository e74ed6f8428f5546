import Foundation
import FuzzSupport
import PaveKit

/// safetensors from memory: header length, header JSON, entries, data tiling; then every tensor is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    guard let file = try? SafetensorsFile(source: MemoryByteSource(bytes), url: memoryURL) else { return 0 }
    for e in file.entries { _ = try? file.tensor(e.name) }
    return 0
}
