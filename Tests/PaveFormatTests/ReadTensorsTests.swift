import Foundation
import Testing
@testable import PaveFormat

@Suite struct ReadTensorsTests {
    /// Many small tensors (more than one group of 32), multi-chunk ones and an empty one, read at once on 1–3
    /// threads, give exactly what reading them one by one gives.
    @Test(arguments: [1, 2, 3])
    func readingManyAtOnceEqualsReadingEach(threads: Int) throws {
        let dir = try TempDir()
        let url = dir.file("m.pave")
        var tensors: [any TensorSource] = try (0..<40).map { try TestTensors.source("t\($0)", .bf16, [8, 64 + $0], seed: UInt64($0)) }
        tensors.append(try TestTensors.source("big", .f32, [3000, 5], seed: 99))  // 60,000 bytes → 15 chunks
        tensors.append(try TestTensors.source("empty", .f16, [0], seed: 1))
        try PaveWriter.write(manifest: .test(), tensors: tensors, to: url, options: PackOptions(chunkSize: 4096))
        let f = try PaveFile.open(url, threads: threads)
        let all = try f.readTensors(f.entries)
        #expect(all.count == f.entries.count)
        for (e, t) in zip(f.entries, all) { #expect(t == (try f.readTensor(e))) }
        let some = [f.entries[5], f.entries[0]]
        #expect(try f.readTensors(some) == [try f.readTensor(some[0]), try f.readTensor(some[1])])
    }

    @Test func aDamagedTensorFailsTheWholeReadWithItsName() throws {
        var b = try DamagedFileTests.validFile()
        let f = try DamagedFileTests.open(b)
        let c = try #require(f.entry("b.noise")).chunks[0]  // stored raw: a flipped byte decodes, the hash fails
        b[c.offset + 10] ^= 1
        let g = try DamagedFileTests.open(b)
        #expect { try g.readTensors(g.entries) } throws: { e in
            (e as? PaveFormatError)?.code == "format.hash_mismatch" && "\(e)".contains("\"b.noise\"")
        }
    }
}
