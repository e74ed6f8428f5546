import PaveFormat

/// A tiny deterministic generator (SplitMix64) for self-check inputs: the same seed gives the same values on
/// every platform.
public struct SeededRandom: Sendable {
    private var stream: SplitMix64

    public init(seed: UInt64) { stream = SplitMix64(seed: seed) }

    /// The next value of the underlying ``SplitMix64`` stream.
    public mutating func next() -> UInt64 { stream.next() }

    /// Uniform in [−1, 1), a multiple of 2⁻²³ (exact in fp32).
    public mutating func nextSigned() -> Float {
        Float(Int64(next() >> 40) - (1 << 23)) * 0x1p-23
    }

    /// `count` values from ``nextSigned()``.
    public mutating func values(_ count: Int) -> [Float] {
        (0..<count).map { _ in nextSigned() }
    }
}
