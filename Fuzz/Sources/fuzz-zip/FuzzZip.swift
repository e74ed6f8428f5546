import FuzzSupport
import PaveKit

/// A zip archive from memory: end of central directory (and zip64), central directory, local headers; then
/// every entry is inflated (stored or DEFLATE via zlib) and its CRC-32 checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let zip = try? ZipArchive(bytes: fuzzBytes(data, size), name: "(fuzz)") else { return 0 }
    for e in zip.entries where !e.isDirectory { try? zip.stream(e, chunkSize: 1 << 16) { _ in } }
    return 0
}
