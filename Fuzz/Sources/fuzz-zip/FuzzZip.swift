import FuzzSupport
import PaveKit

/// A zip archive from memory: end of central directory (and zip64), central directory, local headers; then
/// every entry is inflated (stored or DEFLATE via zlib) and its CRC-32 checked — twice, streamed in chunks and
/// straight into one buffer (as a streamed adapter is), and the two must agree: same bytes, or both refused.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let zip = try? ZipArchive(bytes: fuzzBytes(data, size), name: "(fuzz)") else { return 0 }
    for e in zip.entries where !e.isDirectory {
        var streamed: [UInt8]? = []
        do { try zip.stream(e, chunkSize: 1 << 16) { streamed? += $0 } } catch { streamed = nil }
        guard e.uncompressedSize <= 16 << 20 else { continue }
        var direct: [UInt8]? = [UInt8](repeating: 0, count: e.uncompressedSize)
        do {
            try direct!.withUnsafeMutableBytes { buffer in try zip.inflate(e, into: buffer) { _ in } }
        } catch { direct = nil }
        if streamed != direct { fatalError("entry \(e.name): streamed and direct inflation disagree") }
    }
    return 0
}
