import Foundation
import PaveFormat
@testable import PaveRegistry

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Deterministic pseudo-random bytes (xorshift), so tensors differ but tests are reproducible.
func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        s ^= s << 13; s ^= s >> 7; s ^= s << 17
        return UInt8(truncatingIfNeeded: s)
    }
}

func testManifest(_ name: String, _ version: String, description: String = "", tags: [String] = [],
                  side: String? = nil, base: JSONValue? = nil, loraRank: Int? = nil) -> Manifest {
    var m = Manifest(name: name, version: version)
    m.description = description
    m.tags = tags
    if let side { m["side_channel"] = ["kind": .string(side), "encoder": "test encoder", "layout": ["T": nil, "H": 1, "W": 1, "C": 8]] }
    if let base { m["base"] = base }
    if let loraRank { m["lora"] = ["r": .int(Int64(loraRank)), "alpha": 16, "target_modules": ["model.layers.0.self_attn.q_proj"], "tensor_prefix": ""] }
    return m
}
