import Foundation
import Testing
@testable import PaveFormat

@Suite struct PaveRoundTripTests {
    static let shapes: [[Int]] = [[], [0], [3, 0, 2], [1], [7], [3, 5], [2, 3, 4, 5], [64, 33]]

    @Test(arguments: DType.allCases)
    func everyDTypeAndShapeClassRoundTrips(dtype: DType) throws {
        let dir = try TempDir()
        var sources: [InMemoryTensorSource] = []
        for (i, shape) in Self.shapes.enumerated() {
            // Sub-byte dtypes need whole bytes: make the last dimension even / a multiple of 4.
            var s = shape
            if dtype.bitSize < 8, let n = Shape.elementCount(s), dtype.byteCount(elementCount: n) == nil {
                s = s.isEmpty ? [4] : s.dropLast() + [4]
            }
            sources.append(try TestTensors.source("t\(i).\(Shape.describe(s))", dtype, s, seed: UInt64(i)))
        }
        let url = dir.file("a.pave")
        let summary = try PaveWriter.write(manifest: .test(), tensors: sources, to: url, options: PackOptions(chunkSize: 4096))
        let f = try PaveFile.open(url)
        #expect(f.digest == summary.digest)
        #expect(f.entries.count == sources.count)
        for s in sources {
            let t = try f.readTensor(s.name)
            #expect(t == s.tensor, "\(s.name)")
        }
        #expect(try f.verifyAll().ok)
    }

    @Test func multiChunkTensorsRoundTripAndStreamInOrder() throws {
        let dir = try TempDir()
        let big = try TestTensors.source("big", .bf16, [300, 301], seed: 9)  // 180,600 bytes, 45 chunks of 4 KiB
        let odd = try TestTensors.source("odd", .f32, [12_345], seed: 3)
        let ints = try TestTensors.source("ints", .i64, [5000], seed: 4)
        let url = dir.file("m.pave")
        try PaveWriter.write(manifest: .test(), tensors: [big, odd, ints], to: url, options: PackOptions(chunkSize: 4096))
        let f = try PaveFile.open(url)
        let e = try #require(f.entry("big"))
        #expect(e.chunks.count == 45)
        #expect(try f.readTensor("big") == big.tensor)
        #expect(try f.readTensor("odd") == odd.tensor)
        #expect(try f.readTensor("ints") == ints.tensor)
        var streamed: [UInt8] = []
        try f.forEachChunk(of: e) { off, bytes in
            #expect(off == streamed.count)
            streamed.append(contentsOf: bytes)
        }
        #expect(streamed == big.tensor.bytes)
        #expect(try f.readBytes(of: e, offset: 4000, count: 10_000) == Array(big.tensor.bytes[4000..<14_000]))
        // Regions are contiguous, 64-aligned and in index order.
        var previousEnd = f.layout.dataOffset
        for entry in f.entries {
            #expect(entry.regionOffset % 64 == 0)
            #expect(entry.regionOffset >= previousEnd)
            for c in entry.chunks { #expect(c.offset % 64 == 0) }
            previousEnd = entry.regionOffset + entry.regionLength
        }
    }

    @Test func floatChunksAreGroupedAndCompressedIncompressibleStoredRaw() throws {
        let dir = try TempDir()
        let w = try TestTensors.source("w", .bf16, [64, 1024], seed: 1)
        let noise = try TestTensors.source("noise", .u8, [65_536], seed: 2)
        let url = dir.file("c.pave")
        try PaveWriter.write(manifest: .test(), tensors: [w, noise], to: url, options: PackOptions(chunkSize: 65_536))
        let f = try PaveFile.open(url)
        #expect(f.entry("w")?.chunks.allSatisfy { $0.encoding == .rotatedGroupedZstd && $0.width == 2 } == true)
        #expect(f.entry("noise")?.chunks.allSatisfy { $0.encoding == .raw } == true)
        #expect((f.entry("w")?.regionLength ?? .max) < w.tensor.bytes.count * 17 / 20)
    }

    @Test func manifestUnknownFieldsAreKept() throws {
        let dir = try TempDir()
        var m = Manifest.test()
        m["x_future"] = ["nested": [1, 2.5, "s"], "flag": true]
        let url = dir.file("u.pave")
        try PaveWriter.write(manifest: m, tensors: [], to: url)
        let f = try PaveFile.open(url)
        #expect(f.manifest["x_future"] == m["x_future"])
        #expect(f.manifest.formatVersion == "1.0")
        #expect(f.entries.isEmpty)
        #expect(try f.verifyAll().ok)
    }

    @Test(arguments: [1, 2, 3, 8])
    func outputIsIdenticalForAnyThreadCount(threads: Int) throws {
        let dir = try TempDir()
        let tensors = try (0..<6).map { try TestTensors.source("layer.\($0).weight", $0 % 2 == 0 ? .bf16 : .f32, [100, 97 + $0], seed: UInt64($0)) }
        let a = dir.file("a.pave"), b = dir.file("b.pave")
        try PaveWriter.write(manifest: .test(), tensors: tensors, to: a, options: PackOptions(chunkSize: 4096, threads: 1))
        try PaveWriter.write(manifest: .test(), tensors: tensors.reversed(), to: b, options: PackOptions(chunkSize: 4096, threads: threads))
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
    }

    @Test func digestDoesNotDependOnChunkSizeOrLevel() throws {
        let dir = try TempDir()
        let t = [try TestTensors.source("w", .f32, [3000], seed: 5)]
        let a = try PaveWriter.write(manifest: .test(), tensors: t, to: dir.file("a.pave"), options: PackOptions(level: 1, chunkSize: 4096))
        let b = try PaveWriter.write(manifest: .test(), tensors: t, to: dir.file("b.pave"), options: PackOptions(level: 19, chunkSize: 65_536))
        #expect(a.digest == b.digest)
        let c = try PaveWriter.write(manifest: .test("other"), tensors: t, to: dir.file("c.pave"))
        #expect(c.digest != a.digest)
    }

    @Test func writerRejectsBadNamesAndLeavesNothingBehind() throws {
        let dir = try TempDir()
        let url = dir.file("x.pave")
        for (name, fragment) in [("__metadata__", "reserved"), ("", "empty"), ("a\u{1}b", "control"), (String(repeating: "n", count: 1025), "over the limit")] {
            #expect { try PaveWriter.write(manifest: .test(), tensors: [try TestTensors.source(name, .u8, [1])], to: url) } throws: { e in
                (e as? PaveFormatError)?.code == "format.name" && "\(e)".contains(fragment)
            }
        }
        let dup = [try TestTensors.source("a", .u8, [1]), try TestTensors.source("a", .u8, [2])]
        #expect { try PaveWriter.write(manifest: .test(), tensors: dup, to: url) } throws: { e in "\(e)".contains("appears twice") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test func repackingThroughPaveTensorSourceKeepsTheDigest() throws {
        let dir = try TempDir()
        let t = [try TestTensors.source("w", .bf16, [150, 100], seed: 8), try TestTensors.source("n", .i32, [999], seed: 9)]
        let a = try PaveWriter.write(manifest: .test(), tensors: t, to: dir.file("a.pave"), options: PackOptions(chunkSize: 4096))
        let f = try PaveFile.open(dir.file("a.pave"))
        let sources = try f.entries.map { try PaveTensorSource(file: f, name: $0.name) }
        let b = try PaveWriter.write(manifest: f.manifest, tensors: sources, to: dir.file("b.pave"), options: PackOptions(level: 9, chunkSize: 8192))
        #expect(a.digest == b.digest)
        #expect(try PaveFile.open(dir.file("b.pave")).readTensor("w") == t[0].tensor)
    }
}
