import Foundation

/// The element-wise and row-wise steps of the forward, written as tight loops over raw rows.
enum Kernels {
    /// `y[r, :] += bias` for `rows` rows of width `n` and row stride `ld`.
    @inline(__always)
    static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, n: Int, ld: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = y + r * ld
            for j in 0..<n { row[j] += bias[j] }
        }
    }

    /// `y = x · Wᵀ (+ b)` (`nn.Linear`) for `rows` rows: `x` is `rows×inDim` (stride `ldx`), `W` is `(out, in)`.
    /// With `accumulate`, adds to `y` instead of overwriting it.
    static func linear(_ x: UnsafePointer<Float>, rows: Int, inDim: Int, ldx: Int, weight: UnsafePointer<Float>, outDim: Int,
                       bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool = false) {
        BLAS.sgemm(transA: false, transB: true, m: rows, n: outDim, k: inDim, a: x, lda: ldx, b: weight, ldb: inDim,
                   beta: accumulate ? 1 : 0, c: y, ldc: ldy)
        if let bias { addBias(y, rows: rows, n: outDim, ld: ldy, bias: bias) }
    }

    /// The exact GELU `0.5·x·(1 + erf(x/√2))` (PyTorch `nn.GELU()` default), in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.70710678118654752440
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erf(v * invSqrt2))
        }
    }

    /// LayerNorm over rows of width `n` (biased variance, `eps`, affine), from `x` (stride `ldx`) into `y`
    /// (stride `ldy`; may alias `x`). Statistics are accumulated in double precision.
    static func layerNorm(_ x: UnsafePointer<Float>, rows: Int, n: Int, ldx: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                          eps: Float = 1e-5, into y: UnsafeMutablePointer<Float>, ldy: Int) {
        for r in 0..<rows {
            let xr = x + r * ldx, yr = y + r * ldy
            var sum = 0.0
            for j in 0..<n { sum += Double(xr[j]) }
            let mean = sum / Double(n)
            var sq = 0.0
            for j in 0..<n { let d = Double(xr[j]) - mean; sq += d * d }
            let rstd = Float(1 / (sq / Double(n) + Double(eps)).squareRoot())
            let m = Float(mean)
            for j in 0..<n { yr[j] = (xr[j] - m) * rstd * gamma[j] + beta[j] }
        }
    }

    /// Row-wise softmax in place (`rows×n`, contiguous).
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let row = s + r * n
            var mx = -Float.infinity
            for j in 0..<n { mx = max(mx, row[j]) }
            var sum: Float = 0
            for j in 0..<n { let e = exp(row[j] - mx); row[j] = e; sum += e }
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
        }
    }
}
