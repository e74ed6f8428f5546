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

@Suite struct VerifyAllTests {
    /// Two damaged tensors (a chunk that does not decode, a raw chunk whose hash fails): both are reported, in index
    /// order, with the same errors whatever the thread count.
    @Test func everyDamagedTensorIsReportedTheSameOnAnyThreadCount() throws {
        var b = try DamagedFileTests.validFile()
        let f = try DamagedFileTests.open(b)
        let a = try #require(f.entry("a.weight")).chunks[2]
        b[a.offset + a.storedLength / 2] ^= 0xFF
        b[a.offset + a.storedLength / 2 + 1] ^= 0xFF
        let n = try #require(f.entry("b.noise")).chunks[1]
        b[n.offset + 3] ^= 1
        var seen: [[String]] = []
        for threads in [1, 2, 3] {
            let g = try PaveFile(source: MemoryByteSource(b), path: "x.pave", threads: threads)
            let report = try g.verifyAll()
            #expect(!report.ok)
            let problems = report.problems.map(\.message)
            #expect(problems.count == 2)
            #expect(problems.first?.contains("\"a.weight\"") == true)
            #expect(problems.last?.contains("\"b.noise\"") == true)
            seen.append(problems)
        }
        #expect(seen.allSatisfy { $0 == seen[0] })
    }
}
