import Foundation
import Testing
@testable import PaveFormat

/// What the digest and the hashes cover (spec §8.1), which code a value that breaks two rules gets (spec §10.1),
/// and the named error for a zstd frame larger than its chunk (spec §7).
@Suite struct CoverageAndLimitTests {
    typealias D = DamagedFileTests

    /// spec §8.1: the layout table is outside the digest. The one layout value a reader cannot derive or check is
    /// `chunk_size` of a tensor with at most one chunk; changing it to another valid value changes no content —
    /// the same digest, the same bytes, every check passes — which is why leaving it uncovered is safe.
    @Test func chunkSizeOfAOneChunkTensorChangesNoContentAndNoDigest() throws {
        var b = try D.validFile()
        let f = try D.open(b)
        let i = try #require(f.entries.firstIndex { $0.name == "c.scalar" })
        #expect(f.entries[i].chunks.count == 1)
        let record = f.layout.layoutOffset + 16 + 32 * i
        #expect(D.u64(b, record + 16) == 4096)
        D.putU64(&b, record + 16, 65_536)
        let g = try D.open(b)
        #expect(g.digest == f.digest)
        #expect(g.entries[i].chunkSize == 65_536)
        #expect(try g.verifyAll().ok)
        for e in f.entries { #expect(try g.readTensor(e.name).bytes == (try f.readTensor(e.name)).bytes) }
    }

    /// Every other layout value is either derived (so a change is a named layout error) or checked through the
    /// tensor's SHA-256 after decoding: changing `chunk_size` of a multi-chunk tensor is refused.
    @Test func chunkSizeOfAMultiChunkTensorIsChecked() throws {
        var b = try D.validFile()
        let f = try D.open(b)
        D.putU64(&b, f.layout.layoutOffset + 16 + 16, 8192)  // "a.weight": 4 chunks of 4 KiB
        D.expectOpenFails(b, code: "format.layout", ["\"a.weight\"", "raw_length"])
    }

    /// spec §10.1: a header value ≥ 2^63 is `format.header` even when it is also over its limit; a value that fits
    /// in 63 bits but is over its §10 maximum is `format.limit`; below a minimum is `format.header`.
    @Test func aValueBreakingTwoRulesGetsTheDocumentedCode() throws {
        var over63 = try D.validFile()
        D.putU64(&over63, 32, 1 << 63)  // manifest_length: not a signed 64-bit integer, and over 16 MiB
        over63.replaceSubrange(120..<128, with: PaveHeader.check(over63))  // the header fails before the digest is read
        D.expectOpenFails(over63, code: "format.header", ["manifest_length", "63 bits"])
        var overLimit = try D.validFile()
        D.putU64(&overLimit, 48, 1 << 62)  // index_length: fits in 63 bits, over 256 MiB
        D.resign(&overLimit)
        D.expectOpenFails(overLimit, code: "format.limit", ["index_length", "\(PaveLimits.maxIndexLength)"])
        var underMinimum = try D.validFile()
        D.putU64(&underMinimum, 64, 8)  // layout_length below 16
        D.resign(&underMinimum)
        D.expectOpenFails(underMinimum, code: "format.header", ["layout_length", "minimum 16"])
    }

    /// spec §7: a zstd frame declaring more content than its chunk's raw_length is refused by name before decoding.
    @Test func frameDeclaringMoreThanItsChunkIsNamed() throws {
        var b = try D.validFile()
        let f = try D.open(b)
        let e = try #require(f.entry("b.noise"))  // random U8 → stored raw; chunk 1 holds 904 bytes
        let c = e.chunks[1]
        #expect(c.rawLength == 904 && c.storedLength == 904)
        // A frame of 897 … 904 bytes (so the region still ends in the same 64-byte block) declaring 2000 bytes.
        var rng = TestRNG(seed: 9)
        var frame: [UInt8] = []
        for r in stride(from: 904, to: 700, by: -1) {
            let candidate = try ZstdCodecTests.frame(rng.bytes(r) + [UInt8](repeating: 0, count: 2000 - r))
            if candidate.count > 896 && candidate.count <= 904 { frame = candidate; break }
        }
        try #require(!frame.isEmpty)
        b.replaceSubrange(c.offset..<(c.offset + frame.count), with: frame)
        b[c.recordOffset + 24] = ChunkEncoding.zstd.rawValue
        D.putU64(&b, c.recordOffset + 8, UInt64(frame.count))
        let i = try #require(f.entries.firstIndex { $0.name == "b.noise" })
        D.putU64(&b, f.layout.layoutOffset + 16 + 32 * i + 8, UInt64(c.offset - e.regionOffset + frame.count))
        let g = try D.open(b)
        #expect { try g.readTensor("b.noise") } throws: { err in
            guard let pe = err as? PaveFormatError, case let .chunkTooLarge(_, tensor, chunk, _, size, rawLength) = pe else { return false }
            return pe.code == "format.chunk_too_large" && tensor == "b.noise" && chunk == 1 && size == 2000 && rawLength == 904
        }
    }
}
