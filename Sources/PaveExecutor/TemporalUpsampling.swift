/// The side channel's temporal upsampling (PAVE_FORWARD §3.4): `nn.Upsample(scale_factor=(chunk_num/T, 1, 1),
/// mode='trilinear', align_corners=True)`, applied only when `T < chunk_num`.
public enum TemporalUpsampling {
    /// Output length `floor(T · (chunk_num / T))` evaluated in double precision, as PyTorch does. It is not
    /// always `chunk_num`: T = 11, chunk_num = 15 gives 14; T = 47, chunk_num = 48 gives 47.
    /// Returns `T` unchanged when `T ≥ chunk_num` (no upsampling).
    public static func outputLength(frames t: Int, chunkNum: Int) -> Int {
        guard t > 0, t < chunkNum else { return t }
        let scale = Double(chunkNum) / Double(t)
        return Int((Double(t) * scale).rounded(.down))
    }

    /// Source position and weights of output frame `i` of `outFrames` (align_corners=True), computed in fp32 like
    /// PyTorch's CPU kernel: `p = i·(T−1)/(T'−1)`, `out = (1−a)·in[⌊p⌋] + a·in[min(⌊p⌋+1, T−1)]`.
    public static func source(of i: Int, inFrames: Int, outFrames: Int) -> (lower: Int, upper: Int, lowerWeight: Float, upperWeight: Float) {
        let scale: Float = outFrames > 1 ? Float(inFrames - 1) / Float(outFrames - 1) : 0
        let p = scale * Float(i)
        let lower = min(Int(p), inFrames - 1)
        let upper = lower + (lower < inFrames - 1 ? 1 : 0)
        let a = min(max(p - Float(lower), 0), 1)
        return (lower, upper, 1 - a, a)
    }

    /// Interpolates `frames` frames of `frameSize` values each (`input`) to `outFrames` frames.
    public static func apply(_ input: UnsafePointer<Float>, frames: Int, frameSize: Int, outFrames: Int, into output: UnsafeMutablePointer<Float>) {
        for i in 0..<outFrames {
            let s = source(of: i, inFrames: frames, outFrames: outFrames)
            let a = input + s.lower * frameSize, b = input + s.upper * frameSize, o = output + i * frameSize
            for j in 0..<frameSize { o[j] = s.lowerWeight * a[j] + s.upperWeight * b[j] }
        }
    }
}
