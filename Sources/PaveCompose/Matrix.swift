import PaveExecutor

/// Small row-major fp32 matrix helpers over ``BLAS`` for the LoRA merges.
enum Matrix {
    /// `A (m×k, row stride lda) · B (k×n, row stride ldb)` → `m×n`.
    static func multiply(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, lda: Int? = nil, ldb: Int? = nil) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0 else { return c }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    guard let a0 = pa.baseAddress, let b0 = pb.baseAddress, let c0 = pc.baseAddress else { return }
                    BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a0, lda: lda ?? k, b: b0, ldb: ldb ?? n, c: c0, ldc: n)
                }
            }
        }
        return c
    }

    /// Copies a row-major `rows×cols` matrix into `rows×stride` (zero-padding the extra columns).
    static func padColumns(_ x: [Float], rows: Int, cols: Int, to stride: Int) -> [Float] {
        guard cols != stride else { return x }
        var out = [Float](repeating: 0, count: rows * stride)
        for i in 0..<rows { for j in 0..<cols { out[i * stride + j] = x[i * cols + j] } }
        return out
    }
}
