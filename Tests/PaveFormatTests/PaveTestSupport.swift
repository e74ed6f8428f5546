import Foundation
@testable import PaveFormat

/// A temporary directory removed when the value goes away.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Deterministic pseudo-random bytes (SplitMix64), so tests need no fixtures.
struct TestRNG {
    var stream: SplitMix64
    init(seed: UInt64) { stream = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { stream.next() }
    /// A Gaussian-ish float (sum of uniforms), like trained weights.
    mutating func weight(scale: Float) -> Float {
        var s: Float = 0
        for _ in 0..<4 { s += Float(next() >> 40) / Float(1 << 24) - 0.5 }
        return s * scale
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

enum TestTensors {
    /// Raw bytes of `count` weight-like values of a float dtype, or random bytes for other dtypes.
    static func bytes(dtype: DType, shape: [Int], seed: UInt64) -> [UInt8] {
        var rng = TestRNG(seed: seed)
        let n = Shape.elementCount(shape) ?? 0
        let total = dtype.byteCount(elementCount: n) ?? 0
        switch dtype {
        case .f32, .c64:
            var out: [UInt8] = []
            out.reserveCapacity(total)
            for _ in 0..<(total / 4) { out.append(contentsOf: withUnsafeBytes(of: rng.weight(scale: 0.1).bitPattern.littleEndian, Array.init)) }
            return out
        case .bf16:
            var out: [UInt8] = []
            out.reserveCapacity(total)
            for _ in 0..<n {
                let v = UInt16(truncatingIfNeeded: rng.weight(scale: 0.1).bitPattern >> 16)
                out.append(UInt8(truncatingIfNeeded: v))
                out.append(UInt8(truncatingIfNeeded: v >> 8))
            }
            return out
        default:
            return rng.bytes(total)
        }
    }

    static func source(_ name: String, _ dtype: DType, _ shape: [Int], seed: UInt64 = 1) throws -> InMemoryTensorSource {
        InMemoryTensorSource(name: name, tensor: try TensorData(dtype: dtype, shape: shape, bytes: bytes(dtype: dtype, shape: shape, seed: seed)))
    }
}

extension Manifest {
    static func test(_ name: String = "test-patch") -> Manifest {
        var m = Manifest(name: name, version: "1.0.0")
        m.created = "2026-01-01T00:00:00Z"
        return m
    }
}
