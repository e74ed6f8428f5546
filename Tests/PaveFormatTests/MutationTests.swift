import Foundation
import Testing
@testable import PaveFormat

/// Deterministic random damage (a light fuzzer): whatever the bytes, opening, reading and verifying either work
/// or throw a `PaveFormatError` — never crash, hang or return wrong data.
@Suite struct MutationTests {
    @Test func randomDamageIsAlwaysDetectedOrHarmless() throws {
        let valid = try DamagedFileTests.validFile()
        let original = try DamagedFileTests.open(valid)
        let expected = try Dictionary(uniqueKeysWithValues: original.entries.map { ($0.name, try original.readTensor($0)) })
        var rng = TestRNG(seed: 0xFADE)
        var outcomes: [String: Int] = [:]
        for round in 0..<1500 {
            var b = valid
            switch round % 4 {
            case 0:  // flip 1 … 4 random bits anywhere
                for _ in 0...(rng.next() % 4) { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(1 << (rng.next() % 8)) }
            case 1:  // overwrite a random u64-sized window with random bytes, then re-sign so the header trusts it
                let at = Int(rng.next() % UInt64(b.count - 8))
                for k in 0..<8 { b[at + k] = UInt8(truncatingIfNeeded: rng.next()) }
                if at >= 128 { DamagedFileTests.resign(&b) }
            case 2:  // truncate
                b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            default:  // set a random byte of the index or layout to an extreme value, re-signed
                let f = original.layout
                let ranges = [f.indexOffset..<(f.indexOffset + f.indexLength), f.layoutOffset..<(f.layoutOffset + f.layoutLength)]
                let r = ranges[Int(rng.next() % 2)]
                b[r.lowerBound + Int(rng.next() % UInt64(r.count))] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
                DamagedFileTests.resign(&b)
            }
            let outcome: String
            do {
                let f = try DamagedFileTests.open(b)
                var readFailures = 0
                for e in f.entries {
                    do {
                        let t = try f.readTensor(e)
                        // With the original digest (manifest and index intact), whatever decodes must be exactly what was
                        // written: the hashes guard every byte. (Re-signed rounds describe a different, valid patch.)
                        if f.digest == original.digest {
                            #expect(expected[e.name] == t, "round \(round): \(e.name) decoded to different bytes")
                        }
                    } catch is PaveFormatError {
                        readFailures += 1
                    }
                }
                let report = try f.verifyAll()
                if readFailures > 0 { #expect(!report.ok, "round \(round): a tensor failed to read but verify passed") }
                outcome = readFailures > 0 ? "read-failed" : (report.ok ? "intact" : "verify-failed")
            } catch let e as PaveFormatError {
                outcome = e.code
            }
            outcomes[outcome, default: 0] += 1
        }
        print("mutation outcomes: \(outcomes.sorted { $0.key < $1.key })")
        // Most damage must be caught; a few flips land in bytes that are checked only by verify (padding).
        #expect((outcomes["intact"] ?? 0) < 150, "\(outcomes)")
        #expect(outcomes.count >= 6, "\(outcomes)")
    }
}
