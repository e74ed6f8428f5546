import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveTorch

/// The zip reader and the inflater on archives made by Python's zipfile/zlib (Fixtures/torch/deflate_cases.zip).
@Suite struct ZipArchiveTests {
    static let cases = ["text.l0", "text.l1", "text.l6", "text.l9", "zeros.l9", "noise.l6", "short.l6", "empty.l6", "mixed.l9"]

    @Test(arguments: cases)
    func inflatesZlibOutputWithCorrectSizeAndCRC(name: String) throws {
        let archive = try ZipArchive(url: TorchFixtures.url("deflate_cases.zip"))
        let entry = try #require(archive.entry("cases/" + name))
        #expect(entry.method == 8)
        // `stream` checks the declared size and the CRC-32; also check that chunks add up.
        var total = 0
        try archive.stream(entry) { total += $0.count }
        #expect(total == entry.uncompressedSize)
    }

    @Test func inflatesIdenticallyToStoredCopy() throws {
        let archive = try ZipArchive(url: TorchFixtures.url("deflate_cases.zip"))
        let stored = try archive.contents(try #require(archive.entry("cases/text.l0")), maxSize: 1 << 20)
        for level in ["l1", "l6", "l9"] {
            #expect(try archive.contents(try #require(archive.entry("cases/text." + level)), maxSize: 1 << 20) == stored)
        }
    }

    @Test func corruptedDeflateDataIsRefused() throws {
        var bytes = try [UInt8](Data(contentsOf: TorchFixtures.url("deflate_cases.zip")))
        let archive = try ZipArchive(url: TorchFixtures.url("deflate_cases.zip"))
        let entry = try #require(archive.entry("cases/text.l6"))
        for k in 0..<64 { bytes[entry.dataOffset + 100 + k] ^= 0x5A }
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.zip")
        try Data(bytes).write(to: url)
        let bad = try ZipArchive(url: url)
        #expect(throws: ZipError.self) { try bad.stream(try #require(bad.entry("cases/text.l6"))) { _ in } }
    }

    @Test func zip64ExtraFieldsGiveTheRealSizesAndOffsets() throws {
        // One stored entry whose central-directory sizes and offset are 0xFFFFFFFF, the real values in a zip64
        // extra field (id 0x0001: uncompressed, compressed, local header offset), then classic end records.
        let data = Array("zip64 payload".utf8), name = Array("a/x".utf8)
        let crc = CRC32.checksum(data)
        var w = ByteWriter()
        func u16(_ v: Int) { w.u16(UInt16(v)) }
        func u32(_ v: UInt32) { w.u32(v) }
        u32(0x0403_4B50); u16(45); u16(0); u16(0); u16(0); u16(0); u32(crc); u32(UInt32(data.count)); u32(UInt32(data.count))
        u16(name.count); u16(0); w.append(name); w.append(data)
        let cd = w.bytes.count
        u32(0x0201_4B50); u16(45); u16(45); u16(0); u16(0); u16(0); u16(0); u32(crc); u32(0xFFFF_FFFF); u32(0xFFFF_FFFF)
        u16(name.count); u16(4 + 24); u16(0); u16(0); u16(0); u32(0); u32(0xFFFF_FFFF); w.append(name)
        u16(1); u16(24)
        w.u64(UInt64(data.count)); w.u64(UInt64(data.count)); w.u64(UInt64(0))
        let cdSize = w.bytes.count - cd
        u32(0x0605_4B50); u16(0); u16(0); u16(1); u16(1); u32(UInt32(cdSize)); u32(UInt32(cd)); u16(0)
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("z64.zip")
        try Data(w.bytes).write(to: url)
        let archive = try ZipArchive(url: url)
        let e = try #require(archive.entry("a/x"))
        #expect(e.uncompressedSize == data.count && e.compressedSize == data.count && e.headerOffset == 0)
        #expect(try archive.contents(e, maxSize: 100) == data)
    }
}
