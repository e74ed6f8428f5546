/// A tiny deterministic generator (SplitMix64) for self-check inputs: the same seed gives the same values on
/// every platform.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [−1, 1), a multiple of 2⁻²³ (exact in fp32).
    public mutating func nextSigned() -> Float {
        Float(Int64(next() >> 40) - (1 << 23)) * 0x1p-23
    }

    /// `count` values from ``nextSigned()``.
    public mutating func values(_ count: Int) -> [Float] {
        (0..<count).map { _ in nextSigned() }
    }
}
