import Foundation

/// The 3D rotary position embedding of `VideoCrossAttentionWith3DRope` (PAVE_FORWARD §5): Qwen2-VL's
/// multimodal RoPE with sections [16, 24, 24] over a 128-wide head, half-split rotation, applied to q and k only.
public enum RoPE3D {
    /// The only head width the section split allows.
    public static let headDim = 128
    /// Channels `c mod 64` in `[0,16)` use the temporal index, `[16,40)` the height index, `[40,64)` the width index.
    public static let sections = (temporal: 16, height: 24, width: 24)

    /// `numpy.linspace(a, b, n, dtype=int)`: `floor(a + i·((b−a)/(n−1)))` in double precision, the last element
    /// exactly `b`; `n = 1` gives `[a]`.
    public static func ilinspace(_ a: Int, _ b: Int, _ n: Int) -> [Int] {
        guard n > 0 else { return [] }
        guard n > 1 else { return [a] }
        let step = Double(b - a) / Double(n - 1)
        var out = (0..<n).map { Int((Double($0) * step + Double(a)).rounded(.down)) }
        out[n - 1] = b
        return out
    }

    /// Cell centres of an `n`-cell grid inside `[0, m]`: `ilinspace(0, m, 2n+1)[1:-1][::2]` = `floor((2j+1)·m/(2n))`.
    public static func centers(_ n: Int, _ m: Int) -> [Int] {
        let l = ilinspace(0, m, 2 * n + 1)
        return stride(from: 1, to: 2 * n, by: 2).map { l[$0] }
    }

    /// `inv_freq[i] = 1 / 10000^(2i/128)`, computed in fp32 as Qwen2RotaryEmbedding does.
    public static let inverseFrequencies: [Float] = (0..<64).map { i in 1 / powf(10000, Float(2 * i) / Float(headDim)) }

    /// `cos(pos · inv_freq[c])`, `sin(…)` for `pos` in `0..<positions`, `c` in `0..<64` (row-major `[pos][c]`);
    /// the angle is the fp32 product, as in the PyTorch table.
    public static func table(positions: Int) -> (cos: [Float], sin: [Float]) {
        var c = [Float](repeating: 0, count: positions * 64), s = c
        for p in 0..<positions {
            for i in 0..<64 {
                let angle = Float(p) * inverseFrequencies[i]
                c[p * 64 + i] = Float(Foundation.cos(Double(angle)))
                s[p * 64 + i] = Float(Foundation.sin(Double(angle)))
            }
        }
        return (c, s)
    }

    /// (t, h, w) position of every token, row-major over (t, h, w).
    public struct Positions: Sendable, Equatable {
        public var t: [Int32], h: [Int32], w: [Int32]
        public var count: Int { t.count }
        /// Largest index used (+1): the table length needed.
        public var extent: Int { Int(max(t.max() ?? 0, h.max() ?? 0, w.max() ?? 0)) + 1 }
    }

    /// Query and key positions for `T_q` query frames of `S_q` tokens and `T_k` side frames of `S_k` tokens.
    /// Needs square `S_q`, `S_k` and `T_k ≥ T_q` (checked by the caller).
    public static func positions(tq: Int, sq: Int, tk: Int, sk: Int) -> (query: Positions, key: Positions) {
        let tMax = max(tq, tk)
        let hq = isqrt(sq), hk = isqrt(sk), hMax = isqrt(max(sq, sk))
        let qt = ilinspace(0, tMax - 1, tq)
        let qs = sq < sk ? centers(hq, hMax) : Array(0..<hq)
        let ks = centers(hk, hMax)
        func grid(_ ts: [Int], _ ss: [Int]) -> Positions {
            var p = Positions(t: [], h: [], w: [])
            let n = ts.count * ss.count * ss.count
            p.t.reserveCapacity(n); p.h.reserveCapacity(n); p.w.reserveCapacity(n)
            for t in ts { for h in ss { for w in ss { p.t.append(Int32(t)); p.h.append(Int32(h)); p.w.append(Int32(w)) } } }
            return p
        }
        return (grid(qt, qs), grid(Array(0..<tk), ks))
    }

    /// Integer square root (`int(math.sqrt(n))` for the sizes used here).
    public static func isqrt(_ n: Int) -> Int {
        var r = Int(Double(n).squareRoot())
        while r * r > n { r -= 1 }
        while (r + 1) * (r + 1) <= n { r += 1 }
        return r
    }

    /// Rotates `rows` token rows in place (each row = `heads` head vectors of 128 values, row stride `ld`);
    /// token `firstToken + r` has position `positions[firstToken + r]`.
    static func rotate(_ x: UnsafeMutablePointer<Float>, rows: Int, ld: Int, heads: Int, firstToken: Int,
                       positions: Positions, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let sT = sections.temporal, sH = sections.temporal + sections.height
        for r in 0..<rows {
            let tok = firstToken + r
            let pt = Int(positions.t[tok]) * 64, ph = Int(positions.h[tok]) * 64, pw = Int(positions.w[tok]) * 64
            for head in 0..<heads {
                let v = x + r * ld + head * headDim
                for c in 0..<64 {
                    let base = c < sT ? pt : (c < sH ? ph : pw)
                    let cs = cos[base + c], sn = sin[base + c]
                    let a = v[c], b = v[c + 64]
                    // x' = x ⊙ cos + rotate_half(x) ⊙ sin, rotate_half(x) = [−x[64:], x[:64]].
                    v[c] = a * cs + (-b) * sn
                    v[c + 64] = b * cs + a * sn
                }
            }
        }
    }
}
