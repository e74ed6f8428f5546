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

    /// The exact (erf) GELU `0.5·x·(1 + erf(x/√2))` (PyTorch `nn.GELU()` default, not the tanh form), in place.
    ///
    /// erf is evaluated as PyTorch's vectorised CPU kernel does (Abramowitz–Stegun 7.1.26, absolute error ≤ 1.5e-7,
    /// with a polynomial exp), in a loop the compiler vectorises.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.70710678118654752440
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erfApprox(v * invSqrt2))
        }
    }

    /// erf(x) by Abramowitz–Stegun 7.1.26: `1 − (a1·t + … + a5·t⁵)·e^(−x²)`, `t = 1/(1 + p·|x|)`, odd-extended.
    @inline(__always)
    static func erfApprox(_ x: Float) -> Float {
        let p: Float = 0.3275911
        let a1: Float = 0.254829592, a2: Float = -0.284496736, a3: Float = 1.421413741, a4: Float = -1.453152027, a5: Float = 1.061405429
        let ax = abs(x)
        let t = 1 / (1 + p * ax)
        let poly = ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t
        let r = 1 - poly * expApprox(-ax * ax)
        return x < 0 ? -r : r
    }

    /// e^x for fp32 (Cephes-style: range reduction by ln 2, degree-6 polynomial, scaling through the exponent
    /// bits); relative error ≈ 2 ulp on [−87, 88]; inputs below −87.3 give ≈ 1e-38 (not 0), above 88.7 are clamped.
    @inline(__always)
    static func expApprox(_ x0: Float) -> Float {
        let x = min(max(x0, -87.33654), 88.72284)
        let magic: Float = 12582912            // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
        let t = x * 1.44269504088896341 + magic
        let n = t - magic
        let r = (x - n * 0.693359375) - n * -2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * (r * r) + r + 1
        let e = (t.bitPattern &- magic.bitPattern) &+ 127
        return y * Float(bitPattern: e << 23)
    }

    /// LayerNorm over rows of width `n` (biased variance, `eps`, affine), from `x` (stride `ldx`) into `y`
    /// (stride `ldy`; may alias `x`). With `bias`, `bias` is first added to each row of `x` in place (the
    /// preceding Linear's bias, fused so that each row is read from memory once). Mean and variance are two-pass
    /// fp32 sums over eight lanes.
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, ldx: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                          eps: Float = 1e-5, bias: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>, ldy: Int) {
        let n8 = n & ~7
        for r in 0..<rows {
            let xr = x + r * ldx, yr = y + r * ldy
            if let bias { for j in 0..<n { xr[j] += bias[j] } }
            var acc = SIMD8<Float>(repeating: 0)
            var j = 0
            while j < n8 { acc += UnsafeRawPointer(xr + j).loadUnaligned(as: SIMD8<Float>.self); j += 8 }
            var sum = acc.sum()
            while j < n { sum += xr[j]; j += 1 }
            let mean = sum / Float(n)
            let m8 = SIMD8<Float>(repeating: mean)
            var sq8 = SIMD8<Float>(repeating: 0)
            j = 0
            while j < n8 { let d = UnsafeRawPointer(xr + j).loadUnaligned(as: SIMD8<Float>.self) - m8; sq8 += d * d; j += 8 }
            var sq = sq8.sum()
            while j < n { let d = xr[j] - mean; sq += d * d; j += 1 }
            let rstd = 1 / (sq / Float(n) + eps).squareRoot()
            for k in 0..<n { yr[k] = (xr[k] - mean) * rstd * gamma[k] + beta[k] }
        }
    }

    /// `x[r, :] = GELU(x[r, :] + bias)` for `rows` contiguous rows of width `n`, in one pass.
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>) {
        let invSqrt2: Float = 0.70710678118654752440
        for r in 0..<rows {
            let row = x + r * n
            for j in 0..<n {
                let v = row[j] + bias[j]
                row[j] = 0.5 * v * (1 + erfApprox(v * invSqrt2))
            }
        }
    }

    /// Row-wise softmax in place (`rows×n`, contiguous). Max and sum use eight partial lanes so the loops vectorise.
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        let n8 = n & ~7
        for r in 0..<rows {
            let row = s + r * n
            var m = SIMD8<Float>(repeating: -.infinity)
            var j = 0
            while j < n8 {
                m = pointwiseMax(m, UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)); j += 8
            }
            var mx = m.max()
            while j < n { mx = max(mx, row[j]); j += 1 }
            for k in 0..<n { row[k] = expApprox(row[k] - mx) }
            var acc = SIMD8<Float>(repeating: 0)
            j = 0
            while j < n8 { acc += UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self); j += 8 }
            var sum = acc.sum()
            while j < n { sum += row[j]; j += 1 }
            let inv = 1 / sum
            for k in 0..<n { row[k] *= inv }
        }
    }
}
