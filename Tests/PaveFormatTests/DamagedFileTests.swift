import Foundation
import Testing
@testable import PaveFormat

/// A corpus of damaged and foreign files, each expected to fail with its own specific error.
@Suite struct DamagedFileTests {
    /// A valid file: a compressed multi-chunk BF16 tensor, a raw (incompressible) U8 tensor, a scalar, an empty one.
    static func validFile() throws -> [UInt8] {
        let dir = try TempDir()
        let url = dir.file("v.pave")
        let tensors: [any TensorSource] = [
            try TestTensors.source("a.weight", .bf16, [64, 100], seed: 1),  // 12,800 bytes → 4 chunks of 4 KiB
            try TestTensors.source("b.noise", .u8, [5000], seed: 2),  // random → stored raw
            try TestTensors.source("c.scalar", .f32, [], seed: 3),
            try TestTensors.source("d.empty", .f16, [0, 8], seed: 4),
        ]
        try PaveWriter.write(manifest: .test(), tensors: tensors, to: url, options: PackOptions(chunkSize: 4096))
        return [UInt8](try Data(contentsOf: url))
    }

    static func open(_ bytes: [UInt8]) throws -> PaveFile { try PaveFile(source: MemoryByteSource(bytes), path: "x.pave") }

    /// Opens `bytes` and expects a `PaveFormatError` with `code` whose message contains every fragment.
    static func expectOpenFails(_ bytes: [UInt8], code: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try open(bytes)
            Issue.record("opened without error; expected \(code)", sourceLocation: sourceLocation)
        } catch let e as PaveFormatError {
            #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
            for f in fragments { #expect(e.description.contains(f), "message \"\(e)\" lacks \"\(f)\"", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        }
    }

    static func putU64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) { for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
    static func u64(_ b: [UInt8], _ at: Int) -> Int { Int(ByteReader.u64(b, at: at) ?? 0) }

    /// Recomputes the header's digest and header_check after editing the manifest, index or header, so that the
    /// edit itself (not the digest) is what the reader finds.
    static func resign(_ b: inout [UInt8]) {
        let mo = u64(b, 24), ml = u64(b, 32), io = u64(b, 40), il = u64(b, 48)
        if mo + ml <= b.count, io + il <= b.count {
            let d = PaveHeader.digest(manifest: Array(b[mo..<mo + ml]), index: Array(b[io..<io + il]))
            b.replaceSubrange(88..<120, with: d)
        }
        b.replaceSubrange(120..<128, with: PaveHeader.check(b))
    }

    // MARK: Foreign files

    @Test func foreignFilesAreNamed() throws {
        let lfs = Array("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 17992704\n".utf8)
        Self.expectOpenFails(lfs, code: "format.not_pave", ["git-LFS pointer", "git lfs pull", "size 17992704"])
        Self.expectOpenFails(Array("\n  <!DOCTYPE html><html><body>Sign in</body></html>".utf8), code: "format.not_pave", ["HTML"])
        Self.expectOpenFails([0x50, 0x4B, 0x03, 0x04] + Array("....archive/data.pkl....".utf8), code: "format.not_pave", ["zip archive", "PyTorch"])
        Self.expectOpenFails([0x80, 0x02, 0x7D, 0x71], code: "format.not_pave", ["pickle"])
        Self.expectOpenFails([], code: "format.not_pave", ["empty file"])
        Self.expectOpenFails([0x28, 0xB5, 0x2F, 0xFD, 0, 0], code: "format.not_pave", ["zstd"])
        Self.expectOpenFails(Array("hello world".utf8), code: "format.not_pave", ["unknown content", "68656c6c6f"])

        let dir = try TempDir()
        let st = dir.file("m.safetensors")
        try SafetensorsWriter.write([("w", try TensorData.f32(shape: [2], [1, 2]))], to: st)
        Self.expectOpenFails([UInt8](try Data(contentsOf: st)), code: "format.not_pave", ["safetensors file", "pavepkg pack"])
    }

    @Test func wrongMagicIsReported() throws {
        var b = try Self.validFile()
        b[6] ^= 0xFF
        Self.expectOpenFails(b, code: "format.not_pave", ["damaged .pave"])
    }

    // MARK: Versions

    @Test func futureMajorVersionIsRefusedWithBothVersions() throws {
        var b = try Self.validFile()
        b[8] = 2
        b[10] = 3
        Self.expectOpenFails(b, code: "format.unsupported_version", ["version 2.3", "major version 1"])
    }

    @Test func newerMinorVersionIsRead() throws {
        var b = try Self.validFile()
        b[10] = 7
        b += Array("bytes a 1.7 writer appended".utf8)  // a newer minor may append; 1.0 readers ignore them
        Self.resign(&b)
        let f = try Self.open(b)
        #expect(f.minor == 7 && f.isNewerMinor)
        #expect(try f.readTensor("a.weight").bytes.count == 12_800)
        #expect(try f.verifyAll().ok)
    }

    // MARK: Truncation

    @Test(arguments: [0.02, 0.3, 0.6, 0.9, 0.999])
    func truncatedFilesAreRefused(fraction: Double) throws {
        let b = try Self.validFile()
        let cut = Array(b.prefix(Int(Double(b.count) * fraction)))
        if cut.count < 128 {
            Self.expectOpenFails(cut, code: "format.truncated", ["the header", "needs 128 bytes"])
        } else {
            Self.expectOpenFails(cut, code: "format.truncated", ["the layout table", "but the file has \(cut.count) bytes"])
        }
    }

    // MARK: Flipped bytes

    @Test func flippedHeaderByteFailsTheHeaderCheck() throws {
        var b = try Self.validFile()
        b[33] ^= 0x01  // manifest_length
        Self.expectOpenFails(b, code: "format.header", ["header_check", "byte offset 120", "damaged"])
    }

    @Test func flippedManifestByteFailsTheDigest() throws {
        var b = try Self.validFile()
        let mo = Self.u64(b, 24), ml = Self.u64(b, 32)
        let manifest = Array(b[mo..<mo + ml])
        let at = try #require(manifest.firstRange(of: Array("test-patch".utf8))).lowerBound
        b[mo + at] = UInt8(ascii: "b")  // still valid JSON, different content
        Self.expectOpenFails(b, code: "format.digest_mismatch", ["patch digest mismatch", "manifest or index damaged"])
    }

    @Test func brokenManifestJSONIsNamed() throws {
        var b = try Self.validFile()
        b[Self.u64(b, 24)] = UInt8(ascii: "[")
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.manifest", ["manifest at byte offset 128", "JSON object"])
    }

    @Test func flippedIndexHashByteFailsTheDigest() throws {
        var b = try Self.validFile()
        let io = Self.u64(b, 40), il = Self.u64(b, 48)
        b[io + il - 1] ^= 0x40  // last byte of the last entry's sha256
        Self.expectOpenFails(b, code: "format.digest_mismatch", ["digest mismatch"])
    }

    @Test func unknownDTypeCodeIsNamedWithItsOffset() throws {
        var b = try Self.validFile()
        let io = Self.u64(b, 40)
        let dtypeAt = io + 8 + 2 + "a.weight".utf8.count
        b[dtypeAt] = 99
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.index", ["\"a.weight\"", "field dtype", "byte offset \(dtypeAt)", "unknown dtype code 99"])
    }

    @Test func flippedCompressedDataByteNamesTensorAndChunk() throws {
        var b = try Self.validFile()
        let f = try Self.open(b)
        let e = try #require(f.entry("a.weight"))
        let c = e.chunks[2]
        #expect(c.encoding == .rotatedGroupedZstd)
        b[c.offset + c.storedLength / 2] ^= 0x5A
        let damaged = try Self.open(b)  // data is not read on open
        #expect { try damaged.readTensor("a.weight") } throws: { error in
            guard let pe = error as? PaveFormatError, pe.code == "format.chunk" else { return false }
            return pe.description.contains("\"a.weight\" chunk 2 at byte offset \(c.offset)")
        }
        let report = try damaged.verifyAll()
        #expect(!report.ok)
        #expect(report.problems.map(\.code) == ["format.chunk"])
        #expect(try damaged.readTensor("b.noise").bytes.count == 5000)  // other tensors unaffected
    }

    @Test func flippedRawDataByteIsAHashMismatch() throws {
        var b = try Self.validFile()
        let e = try #require(try Self.open(b).entry("b.noise"))
        #expect(e.chunks.allSatisfy { $0.encoding == .raw })
        b[e.regionOffset + 1234] ^= 0x01
        let damaged = try Self.open(b)
        #expect { try damaged.readTensor("b.noise") } throws: { error in
            (error as? PaveFormatError)?.code == "format.hash_mismatch" && "\(error)".contains("\"b.noise\" (data at byte offset \(e.regionOffset))")
        }
    }

    @Test func nonZeroPaddingIsFoundByVerify() throws {
        var b = try Self.validFile()
        let f = try Self.open(b)
        let gap = f.layout.manifestOffset + f.layout.manifestLength
        #expect(gap < f.layout.indexOffset)
        b[gap] = 7
        let report = try Self.open(b).verifyAll()
        #expect(report.problems.map(\.code) == ["format.padding"])
        #expect(report.problems.first?.message.contains("byte offset \(gap) (after the manifest)") == true)
    }

    // MARK: Lying lengths, offsets and sizes

    @Test func lyingChunkStoredLengthIsCaught() throws {
        var b = try Self.validFile()
        let f = try Self.open(b)
        let c = try #require(f.entry("a.weight")).chunks[0]
        Self.putU64(&b, c.recordOffset + 8, UInt64(c.storedLength + 64))
        Self.expectOpenFails(b, code: "format.layout", ["\"a.weight\" chunk 1", "offset", "expected"])
    }

    @Test func hugeChunkStoredLengthIsALimit() throws {
        var b = try Self.validFile()
        let c = try #require(try Self.open(b).entry("a.weight")).chunks[0]
        Self.putU64(&b, c.recordOffset + 8, 1 << 50)
        Self.expectOpenFails(b, code: "format.limit", ["chunk 0 stored_length", "byte offset \(c.recordOffset + 8)"])
    }

    @Test func lyingRawLengthIsCaught() throws {
        var b = try Self.validFile()
        let c = try #require(try Self.open(b).entry("a.weight")).chunks[3]
        Self.putU64(&b, c.recordOffset + 16, 4096)
        Self.expectOpenFails(b, code: "format.layout", ["\"a.weight\" chunk 3", "raw_length", "expected \(12_800 - 3 * 4096)"])
    }

    @Test func overlappingRegionIsCaught() throws {
        var b = try Self.validFile()
        let f = try Self.open(b)
        let layoutOffset = f.layout.layoutOffset
        // Tensor record 1 ("b.noise") claims to start where tensor 0 starts.
        Self.putU64(&b, layoutOffset + 16 + 32, UInt64(f.entries[0].regionOffset))
        Self.expectOpenFails(b, code: "format.layout", ["\"b.noise\"", "region_offset", "right after the previous region"])
    }

    @Test func outOfRangeRegionIsCaught() throws {
        var b = try Self.validFile()
        let f = try Self.open(b)
        Self.putU64(&b, f.layout.layoutOffset + 16 + 8, 1 << 40)  // tensor 0 region_length
        Self.expectOpenFails(b, code: "format.layout", ["\"a.weight\"", "region_length", "past the data section end"])
    }

    @Test func hugeHeaderLengthsAreLimits() throws {
        var b = try Self.validFile()
        Self.putU64(&b, 32, 1 << 40)  // manifest_length
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.limit", ["manifest_length", "byte offset 32", "\(PaveLimits.maxManifestLength)"])
        var c = try Self.validFile()
        Self.putU64(&c, 72, UInt64(Int.max) + 1)  // data_offset beyond 63 bits
        Self.resign(&c)
        Self.expectOpenFails(c, code: "format.header", ["data_offset", "63 bits"])
    }

    @Test func misplacedSectionIsNamed() throws {
        var b = try Self.validFile()
        Self.putU64(&b, 40, UInt64(Self.u64(b, 40) + 64))  // index_offset
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.header", ["index_offset", "expected"])
    }

    @Test func hugeTensorCountAndDimensionsAreLimits() throws {
        var b = try Self.validFile()
        let io = Self.u64(b, 40)
        Self.putU64(&b, io, 1 << 30)
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.limit", ["tensor_count", "byte offset \(io)"])

        var c = try Self.validFile()
        let dimAt = io + 8 + 2 + "a.weight".utf8.count + 2
        Self.putU64(&c, dimAt, 1 << 63)
        Self.resign(&c)
        Self.expectOpenFails(c, code: "format.limit", ["\"a.weight\" dims[0]", "byte offset \(dimAt)"])

        var d = try Self.validFile()
        Self.putU64(&d, dimAt, 1 << 41)  // fits the dimension limit, not the size
        Self.resign(&d)
        Self.expectOpenFails(d, code: "format.index", ["\"a.weight\"", "byte_length"])
    }

    @Test func lyingByteLengthIsCaught() throws {
        var b = try Self.validFile()
        let io = Self.u64(b, 40)
        let lengthAt = io + 8 + 2 + "a.weight".utf8.count + 2 + 16
        Self.putU64(&b, lengthAt, 99)
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.index", ["\"a.weight\"", "byte_length", "byte offset \(lengthAt)", "is 99 but BF16 [64, 100] takes 12800 bytes"])
    }

    @Test func duplicateAndUnsortedNamesAreCaught() throws {
        var b = try Self.validFile()
        let io = Self.u64(b, 40)
        // Entry 1 is "b.noise" (2-byte length at its start); rename it "a.noise" → out of order, then "a.weight"-like.
        let entry1 = io + 8 + (2 + 8 + 2 + 16 + 8 + 32)
        #expect(Array(b[(entry1 + 2)..<(entry1 + 9)]) == Array("b.noise".utf8))
        b[entry1 + 2] = UInt8(ascii: "a")
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.index", ["\"a.noise\"", "strictly increasing"])

        // Same length names: build a file with "x1", "x2" then rename x2 → x1.
        let dir = try TempDir()
        let url = dir.file("d.pave")
        try PaveWriter.write(manifest: .test(), tensors: [try TestTensors.source("x1", .u8, [3]), try TestTensors.source("x2", .u8, [3])], to: url)
        var c = [UInt8](try Data(contentsOf: url))
        let io2 = Self.u64(c, 40)
        let second = io2 + 8 + (2 + 2 + 2 + 8 + 8 + 32)
        #expect(c[second + 3] == UInt8(ascii: "2"))
        c[second + 3] = UInt8(ascii: "1")
        Self.resign(&c)
        Self.expectOpenFails(c, code: "format.index", ["\"x1\"", "duplicate tensor name"])
    }

    @Test func reservedNameInIndexIsCaught() throws {
        let dir = try TempDir()
        let url = dir.file("r.pave")
        try PaveWriter.write(manifest: .test(), tensors: [try TestTensors.source("zz_meta", .u8, [1])], to: url)
        var b = [UInt8](try Data(contentsOf: url))
        let nameAt = Self.u64(b, 40) + 8 + 2
        b[nameAt] = UInt8(ascii: "_")
        b[nameAt + 1] = UInt8(ascii: "_")
        Self.resign(&b)
        Self.expectOpenFails(b, code: "format.index", ["reserved"])
    }

    @Test func unknownChunkEncodingFailsOnlyWhenRead() throws {
        var b = try Self.validFile()
        let f = try Self.open(b)
        let c = try #require(f.entry("b.noise")).chunks[0]
        b[c.recordOffset + 24] = 9
        b[10] = 1  // a 1.1 file may use codes 1.0 does not know
        Self.resign(&b)
        let g = try Self.open(b)
        #expect(try g.readTensor("a.weight").bytes.count == 12_800)
        #expect { try g.readTensor("b.noise") } throws: { e in
            (e as? PaveFormatError)?.code == "format.chunk" && "\(e)".contains("encoding code 9 is not defined in format 1.0 (file is 1.1)")
        }
    }

    @Test func damagedZstdFrameHeaderIsAChunkError() throws {
        var b = try Self.validFile()
        let c = try #require(try Self.open(b).entry("a.weight")).chunks[0]
        b[c.offset + 4] ^= 0x20  // frame header descriptor: the single-segment flag changes how the header parses
        let g = try Self.open(b)
        #expect { try g.readTensor("a.weight") } throws: { e in
            (e as? PaveFormatError)?.code == "format.chunk" && "\(e)".contains("\"a.weight\" chunk 0 at byte offset \(c.offset)")
        }
    }
}
