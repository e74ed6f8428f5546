import Foundation
import Testing
@testable import PaveFormat

@Suite struct ZstdCodecTests {
    static func frame(_ bytes: [UInt8], level: Int32 = 3) throws -> [UInt8] {
        let c = try ZstdCompressor(ZstdParameters(level: level, literalTuned: false))
        var out = [UInt8](repeating: 0, count: bytes.count)
        let n = try bytes.withUnsafeBytes { src in try out.withUnsafeMutableBytes { try c.compress(src, into: $0) } }
        return Array(out.prefix(try #require(n)))
    }

    static func decode(_ frame: [UInt8], into count: Int) throws -> [UInt8] {
        let d = try ZstdDecompressor()
        var out = [UInt8](repeating: 0, count: count)
        try frame.withUnsafeBytes { f in try out.withUnsafeMutableBytes { try d.decompress(f, into: $0) } }
        return out
    }

    @Test func roundTripAndDeclaredContentSize() throws {
        let data = [UInt8](repeating: 7, count: 10_000) + Array(0..<200).map { UInt8($0) }
        let f = try Self.frame(data)
        #expect(f.count < data.count)
        #expect(try Self.decode(f, into: data.count) == data)
    }

    @Test func frameDeclaringAnotherSizeIsRefusedBeforeDecoding() throws {
        let f = try Self.frame([UInt8](repeating: 1, count: 100_000))
        #expect { try Self.decode(f, into: 50) } throws: { e in
            guard let z = e as? ZstdFailure, let over = z.oversize else { return false }
            return z.reason.contains("declares 100000 content bytes, more than the chunk record's 50") && over.declared == 100_000 && over.room == 50
        }
    }

    @Test func trailingBytesAndGarbageAreRefused() throws {
        let f = try Self.frame([UInt8](repeating: 1, count: 1000))
        #expect { try Self.decode(f + [0, 0, 0], into: 1000) } throws: { e in (e as? ZstdFailure)?.reason.contains("extra bytes after the frame") == true }
        #expect { try Self.decode(Array(f.dropLast(2)), into: 1000) } throws: { e in (e as? ZstdFailure)?.reason.contains("not a complete zstd frame") == true }
        #expect { try Self.decode([1, 2, 3, 4, 5, 6, 7, 8], into: 8) } throws: { e in e is ZstdFailure }
    }

    @Test func incompressibleInputIsReportedAsNotShrinking() throws {
        var rng = TestRNG(seed: 1)
        let noise = rng.bytes(5000)
        let c = try ZstdCompressor(ZstdParameters(level: 3, literalTuned: false))
        var out = [UInt8](repeating: 0, count: noise.count)
        let n = try noise.withUnsafeBytes { src in try out.withUnsafeMutableBytes { try c.compress(src, into: $0) } }
        #expect(n == nil)
    }

    @Test func planesEndTheirOwnBlocks() throws {
        // A skewed plane followed by a random plane: the flushed frame is smaller than one frame over both.
        var rng = TestRNG(seed: 2)
        let skewed = (0..<131_072).map { _ in UInt8(120 + Int(rng.next() % 4)) }
        let noise = rng.bytes(16_384)
        let c = try ZstdCompressor(ZstdParameters(level: 3, literalTuned: true))
        let all = noise + skewed
        var out = [UInt8](repeating: 0, count: all.count)
        let split = try all.withUnsafeBytes { a in
            try out.withUnsafeMutableBytes { o in
                try c.compress(parts: [UnsafeRawBufferPointer(rebasing: a[0..<16_384]), UnsafeRawBufferPointer(rebasing: a[16_384...])], into: o)
            }
        }
        let framed = Array(out.prefix(try #require(split)))
        #expect(try Self.decode(framed, into: all.count) == all)
        #expect(framed.count < (try Self.frame(all)).count)
    }

    @Test(arguments: [(2, true), (2, false), (4, true), (4, false), (8, true), (8, false)])
    func byteGroupingRoundTrips(width: Int, rotate: Bool) throws {
        var rng = TestRNG(seed: UInt64(width))
        for elements in [0, 1, 15, 16, 17, 33, 1000] {
            let src = rng.bytes(elements * width)
            var grouped = [UInt8](repeating: 0, count: src.count)
            var back = [UInt8](repeating: 0, count: src.count)
            src.withUnsafeBytes { s in grouped.withUnsafeMutableBytes { ByteGrouping.encode(s, into: $0, width: width, rotate: rotate) } }
            grouped.withUnsafeBytes { g in back.withUnsafeMutableBytes { ByteGrouping.decode(g, into: $0, width: width, rotate: rotate) } }
            #expect(back == src, "width \(width), \(elements) elements")
            if !rotate, elements > 1 {
                #expect(grouped[elements] == src[1])  // plane 1 starts with byte 1 of element 0
            }
        }
    }

    @Test func rotationPutsTheBF16ExponentInTheTopByte() {
        // bf16 -1.0 = 0xBF80: sign 1, exponent 0x7F. Rotated: exponent byte 0x7F, low byte 0x01 (sign in bit 0).
        let src: [UInt8] = [0x80, 0xBF, 0x80, 0x3F]  // -1.0, 1.0
        var g = [UInt8](repeating: 0, count: 4)
        src.withUnsafeBytes { s in g.withUnsafeMutableBytes { ByteGrouping.encode(s, into: $0, width: 2, rotate: true) } }
        #expect(g == [0x01, 0x00, 0x7F, 0x7F])
    }
}
