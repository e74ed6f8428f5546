/// Encodes and decodes single chunks (spec §7). One instance per worker thread: it owns zstd contexts and
/// scratch buffers that are reused from chunk to chunk.
final class ChunkCodec {
    private let plain: ZstdCompressor?
    private let tuned: ZstdCompressor?
    private var decompressor: ZstdDecompressor?
    private var scratch: [UInt8] = []
    private var input: [UInt8] = []

    /// Why ``decode(from:offset:storedLength:encoding:width:into:)`` failed.
    enum DecodeFailure: Error {
        /// The source could not deliver the stored bytes.
        case read(any Error)
        /// The stored bytes are not a valid chunk.
        case invalid(ZstdFailure)
    }

    /// Reads a chunk's `storedLength` bytes at `offset` of `source` into a reused buffer and decodes them into `dst`.
    func decode(from source: any PaveByteSource, offset: Int, storedLength: Int, encoding: ChunkEncoding, width: Int,
                into dst: UnsafeMutableRawBufferPointer) throws(DecodeFailure) {
        if input.count < storedLength { input = [UInt8](repeating: 0, count: storedLength) }
        var failure: DecodeFailure?
        input.withUnsafeMutableBytes { all in
            let buf = UnsafeMutableRawBufferPointer(rebasing: all[0..<storedLength])
            do { try source.read(into: buf, at: offset) } catch {
                failure = .read(error)
                return
            }
            do throws(ZstdFailure) { try decode(UnsafeRawBufferPointer(buf), encoding: encoding, width: width, into: dst) } catch {
                failure = .invalid(error)
            }
        }
        if let failure { throw failure }
    }

    /// A codec that can encode at `level` (pass nil for a decode-only codec).
    init(level: Int32?) throws(ZstdFailure) {
        if let level {
            plain = try ZstdCompressor(ZstdParameters(level: level, literalTuned: false))
            tuned = try ZstdCompressor(ZstdParameters(level: level, literalTuned: true))
        } else {
            plain = nil
            tuned = nil
        }
    }

    /// Encodes one chunk into `out` (which has room for `raw.count` bytes) and returns the encoding and the number
    /// of bytes written; returns `.raw` (nothing written) when the preferred encoding does not make the chunk
    /// strictly smaller — the caller then stores `raw` itself.
    func encode(_ raw: UnsafeRawBufferPointer, dtype: DType, into out: UnsafeMutableRawBufferPointer) throws(ZstdFailure)
        -> (encoding: ChunkEncoding, width: Int, count: Int)
    {
        let (preferred, width) = ChunkEncoding.preferred(for: dtype)
        guard raw.count > 0, preferred != .raw, let plain, let tuned else { return (.raw, 0, raw.count) }
        let grouped = preferred == .groupedZstd || preferred == .rotatedGroupedZstd
        guard grouped, raw.count % width == 0 else {
            guard let n = try plain.compress(raw, into: out) else { return (.raw, 0, raw.count) }
            return (.zstd, 0, n)
        }
        if scratch.count < raw.count { scratch = [UInt8](repeating: 0, count: raw.count) }
        var size: Int?
        var failure: ZstdFailure?
        scratch.withUnsafeMutableBytes { s in
            let g = UnsafeMutableRawBufferPointer(rebasing: s[0..<raw.count])
            ByteGrouping.encode(raw, into: g, width: width, rotate: preferred == .rotatedGroupedZstd)
            let plane = raw.count / width
            let planes = (0..<width).map { UnsafeRawBufferPointer(rebasing: g[($0 * plane)..<(($0 + 1) * plane)]) }
            do throws(ZstdFailure) { size = try tuned.compress(parts: planes, into: out) } catch { failure = error }
        }
        if let failure { throw failure }
        guard let size else { return (.raw, 0, raw.count) }
        return (preferred, width, size)
    }

    /// Decodes `stored` (a chunk's stored bytes) into `dst`, which has exactly the chunk's raw length.
    func decode(_ stored: UnsafeRawBufferPointer, encoding: ChunkEncoding, width: Int, into dst: UnsafeMutableRawBufferPointer) throws(ZstdFailure) {
        switch encoding {
        case .raw:
            guard stored.count == dst.count else {
                throw ZstdFailure(reason: "a raw chunk stores \(stored.count) bytes but its raw length is \(dst.count)")
            }
            if let s = stored.baseAddress, let d = dst.baseAddress { d.copyMemory(from: s, byteCount: dst.count) }
        case .zstd:
            try decoder().decompress(stored, into: dst)
        case .groupedZstd, .rotatedGroupedZstd:
            guard width == 2 || width == 4 || width == 8, dst.count % width == 0 else {
                throw ZstdFailure(reason: "width \(width) is not 2, 4 or 8 or does not divide the raw length \(dst.count)")
            }
            if scratch.count < dst.count { scratch = [UInt8](repeating: 0, count: dst.count) }
            let d = try decoder()
            var failure: ZstdFailure?
            scratch.withUnsafeMutableBytes { s in
                let g = UnsafeMutableRawBufferPointer(rebasing: s[0..<dst.count])
                do throws(ZstdFailure) {
                    try d.decompress(stored, into: g)
                    ByteGrouping.decode(UnsafeRawBufferPointer(g), into: dst, width: width, rotate: encoding == .rotatedGroupedZstd)
                } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    private func decoder() throws(ZstdFailure) -> ZstdDecompressor {
        if let decompressor { return decompressor }
        let d = try ZstdDecompressor()
        decompressor = d
        return d
    }
}
