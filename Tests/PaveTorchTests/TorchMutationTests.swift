import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveTorch

/// Random damage (fixed seed) to real pickles, archives and DEFLATE streams: every variant must be either
/// read or refused with an error — never a crash (overflow, out-of-bounds) or a hang.
@Suite struct TorchMutationTests {
    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s >> 17 }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = bytes
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(4) {
            case 0: b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())  // overwrite a byte
            case 1: b[rng.below(b.count)] ^= 1 << UInt8(rng.below(8))  // flip a bit
            case 2: b = Array(b.prefix(rng.below(b.count) + 1))  // truncate
            default:  // set 4 bytes to an extreme value
                let i = rng.below(max(1, b.count - 4))
                let v: [UInt8] = rng.below(2) == 0 ? [0xFF, 0xFF, 0xFF, 0x7F] : [0, 0, 0, 0x80]
                for k in 0..<min(4, b.count - i) { b[i + k] = v[k] }
            }
            if b.isEmpty { b = [0] }
        }
        return b
    }

    @Test func mutatedPicklesNeverCrash() throws {
        let archive = try ZipArchive(url: TorchFixtures.url("views.bin"))
        let pickle = try archive.contents(try #require(archive.entry("views/data.pkl")), maxSize: 1 << 20)
        var rng = Rng(s: 42)
        var accepted = 0
        for _ in 0..<2000 {
            if (try? TorchPickleReader.tensors(in: Self.mutate(pickle, &rng), path: "m")) != nil { accepted += 1 }
        }
        #expect(accepted < 2000)
    }

    @Test func mutatedArchivesNeverCrash() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = Rng(s: 7)
        for (name, rounds) in [("views.bin", 200), ("deflate_cases.zip", 100)] {
            let original = try [UInt8](Data(contentsOf: TorchFixtures.url(name)))
            for i in 0..<rounds {
                let url = dir.appendingPathComponent("m\(i)")
                try Data(Self.mutate(original, &rng)).write(to: url)
                if name.hasSuffix(".bin") {
                    if let f = try? TorchCheckpointFile(url: url) { for t in f.tensors { _ = try? f.load(t) } }
                } else if let z = try? ZipArchive(url: url) {
                    for e in z.entries { try? z.stream(e) { _ in } }
                }
            }
        }
    }
}
