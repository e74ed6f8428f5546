import COpenBLAS

/// The only file that calls OpenBLAS. Row-major single-precision GEMM and SVD.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C`, all row-major (`cblas_sgemm`).
    /// `op(A)` is `m×k`, `op(B)` is `k×n`, `C` is `m×n`; `lda`/`ldb`/`ldc` are row strides of the stored matrices.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS with k = 0 scales C by beta; do it explicitly for clarity.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Number of threads OpenBLAS uses.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses.
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// Thin SVD of a row-major `m×n` matrix: `A = U · diag(S) · Vᵀ` with `U: m×p`, `S: p`, `Vᵀ: p×n`,
    /// `p = min(m, n)`, singular values descending (LAPACK `sgesdd`). Returns `nil` if LAPACK reports failure.
    public static func svd(_ a: [Float], m: Int, n: Int) -> (u: [Float], s: [Float], vt: [Float])? {
        let p = min(m, n)
        guard p > 0 else { return ([], [], []) }
        // LAPACK is column-major: a row-major m×n matrix is the column-major n×m matrix Aᵀ.
        // SVD of Aᵀ = V · S · Uᵀ, so LAPACK's "U" (n×p) is our V and its "Vᵀ" (p×m) is our Uᵀ.
        var at = a
        var s = [Float](repeating: 0, count: p)
        var lu = [Float](repeating: 0, count: n * p)   // column-major n×p  == row-major p×n  == our Vᵀ
        var lvt = [Float](repeating: 0, count: p * m)  // column-major p×m  == row-major m×p  == our U
        var jobz = Int8(UInt8(ascii: "S"))
        var mm = Int32(n), nn = Int32(m), lda = Int32(n), ldu = Int32(n), ldvt = Int32(p)
        var info: Int32 = 0
        var iwork = [Int32](repeating: 0, count: 8 * p)
        var lwork: Int32 = -1
        var query: Float = 0
        sgesdd_(&jobz, &mm, &nn, &at, &lda, &s, &lu, &ldu, &lvt, &ldvt, &query, &lwork, &iwork, &info)
        guard info == 0 else { return nil }
        lwork = Int32(query) + 1
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesdd_(&jobz, &mm, &nn, &at, &lda, &s, &lu, &ldu, &lvt, &ldvt, &work, &lwork, &iwork, &info)
        guard info == 0 else { return nil }
        return (u: lvt, s: s, vt: lu)
    }
}
