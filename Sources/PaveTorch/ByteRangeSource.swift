import PaveFormat

/// A window `[start, start + size)` of another byte source, read in place (a stored zip entry that is itself
/// an archive, such as `non_lora_trainables.bin` inside a released checkpoint zip).
struct ByteRangeSource: PaveByteSource {
    let base: any PaveByteSource
    let start: Int
    let size: Int

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        try check(offset, count)
        return try base.read(at: start + offset, count: count)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        try check(offset, buffer.count)
        try base.read(into: buffer, at: start + offset)
    }

    private func check(_ offset: Int, _ count: Int) throws {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw RandomAccessFileError.truncated(path: "(zip entry)", offset: offset, wanted: count, available: max(0, size - max(0, offset)))
        }
    }
}
