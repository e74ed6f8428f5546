import FuzzSupport
import PaveKit

/// `.pave` from memory: open (header, manifest, index, layout, digest), full verify, read every tensor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPave(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    guard let file = try? PaveFile(source: MemoryByteSource(bytes), path: "(fuzz)", threads: 1) else { return 0 }
    _ = file.describe()  // inspect --json
    _ = try? file.verifyAll()
    for e in file.entries { _ = try? file.readTensor(e) }
    return 0
}
