/// SplitMix64 (Steele, Lea, Flood 2014): a tiny deterministic 64-bit generator.
///
/// The same seed gives the same stream on every platform (wrapping integer arithmetic only), so it is used for
/// sample inputs, fixture bytes and self-check vectors. Not a cryptographic generator.
public struct SplitMix64: Sendable {
    /// The current state; each ``next()`` advances it by the golden-ratio increment.
    public private(set) var state: UInt64

    /// A generator whose first ``next()`` mixes `seed &+ 0x9E3779B97F4A7C15`.
    public init(seed: UInt64) { state = seed }

    /// The next 64-bit value of the stream.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
