import Foundation
import Testing
@testable import PaveFormat

/// The one canonical writer must give exactly the bytes pavepkg 0.1.0 wrote for manifests (Foundation's
/// `JSONEncoder` with sorted keys), so no digest of an existing file changes, and RFC 8785 order for signatures.
struct CanonicalJSONTests {
    /// What 0.1.0 wrote: `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes`.
    static func foundationBytes(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static let awkwardStrings = ["", "a", "A", "é", "z", "/", "\u{7f}", "\u{1}", "\u{1f}", "\u{8}\u{c}\u{d}\n\t", "\"\\",
                                 "\u{2028}", "\u{FFFD}", "😀", "\u{E000}", "tab\there", "ß", "Ω", "日本"]
    static let awkwardDoubles: [Double] = [0.0001, 1e-5, 1.0, -0.0, 0.5, 1e21, 2.5e-7, 100, 1e16, 1e17, 12345.678,
                                           -3.25e-10, .pi, 9_007_199_254_740_993, 1.5e300, 5e-324, -1e-300]

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        let pick = Int(rng.next() % (depth > 3 ? 5 : 7))
        switch pick {
        case 0: return .null
        case 1: return .bool(rng.next() & 1 == 0)
        case 2: return .int(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))
        case 3: return .double(awkwardDoubles[Int(rng.next() % UInt64(awkwardDoubles.count))] * Double(Int(rng.next() % 7) - 3))
        case 4: return .string(awkwardStrings[Int(rng.next() % UInt64(awkwardStrings.count))])
        case 5: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<Int(rng.next() % 6) {
                let key = awkwardStrings[Int(rng.next() % UInt64(awkwardStrings.count))] + String(rng.next() % 3)
                o[key] = randomValue(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }

    @Test func manifestFormMatchesWhatFoundationWroteOnRandomValues() throws {
        var rng = SplitMix64(seed: 20261201)
        for _ in 0..<2000 {
            let value = Self.randomValue(&rng, depth: 0)
            let ours = try #require(CanonicalJSON.encode(value, form: .manifest))
            #expect(ours == (try Self.foundationBytes(value)), "value \(value)")
        }
    }

    @Test func manifestFormMatchesEverySampleManifest() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let tiny = try PaveFile.open(root.appendingPathComponent("samples/tiny.pave"))
        let value = JSONValue.object(tiny.manifest.fields)
        #expect(Array(value.canonicalData()) == (try Self.foundationBytes(value)))
    }

    @Test func numbersInTheManifestForm() {
        let cases: [(Double, String)] = [(0.0001, "0.0001"), (1e-5, "1e-05"), (100, "100"), (-0.0, "-0"), (1e21, "1e+21"),
                                         (2.5e-7, "2.5e-07"), (1e16, "1e+16")]
        for (d, text) in cases { #expect(CanonicalJSON.encode(.double(d), form: .manifest) == Array(text.utf8)) }
        #expect(CanonicalJSON.encode(.double(.infinity), form: .manifest) == nil)
    }

    @Test func keyOrderDiffersOnlyWhereUTF8AndUTF16Disagree() {
        let value = JSONValue.object(["\u{FFFD}": .int(1), "😀": .int(2)])
        #expect(CanonicalJSON.encode(value, form: .manifest) == Array("{\"\u{FFFD}\":1,\"😀\":2}".utf8))
        #expect(CanonicalJSON.encode(value, form: .rfc8785) == Array("{\"😀\":2,\"\u{FFFD}\":1}".utf8))
        #expect(CanonicalJSON.encode(.double(0.5), form: .rfc8785) == nil)
    }
}
