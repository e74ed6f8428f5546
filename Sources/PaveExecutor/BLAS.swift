import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The only file that calls OpenBLAS. Row-major single-precision GEMM and SVD.
///
/// OpenBLAS is loaded on first use (`dlopen("libopenblas.so.0")`), not linked: linked, its constructor starts
/// worker threads in every process at start-up, and each spins on `sched_yield` for about 2^28 cycles before it
/// sleeps — in `pavepkg verify` of a 20 MB patch that was more than half the process's CPU time, all of it
/// system time. Loaded lazily, a process that never multiplies never starts them. OpenBLAS is also loaded with
/// one thread whatever `OPENBLAS_NUM_THREADS` says (the variable is set to 1 only around the load, then put back
/// for child processes): every product in pavepkg runs single-threaded anyway — the executor's parallelism comes
/// from its fixed tiles (``Parallel/withSingleThreadedBLAS(_:)``) and the LoRA merges pin one thread for
/// byte-identical output — so OpenBLAS's own workers would only spin. ``setThreadCount(_:)`` still raises the
/// count for a caller that wants them.
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
        // CBLAS enum values (cblas.h): CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112.
        OpenBLASLibrary.shared.sgemm(101, transA ? 112 : 111, transB ? 112 : 111,
                                     Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Number of threads OpenBLAS uses.
    public static var threadCount: Int { Int(OpenBLASLibrary.shared.getThreads()) }

    /// Sets the number of threads OpenBLAS uses.
    public static func setThreadCount(_ n: Int) { OpenBLASLibrary.shared.setThreads(Int32(max(1, n))) }

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
        OpenBLASLibrary.shared.sgesdd(&jobz, &mm, &nn, &at, &lda, &s, &lu, &ldu, &lvt, &ldvt, &query, &lwork, &iwork, &info)
        guard info == 0 else { return nil }
        lwork = Int32(query) + 1
        var work = [Float](repeating: 0, count: Int(lwork))
        OpenBLASLibrary.shared.sgesdd(&jobz, &mm, &nn, &at, &lda, &s, &lu, &ldu, &lvt, &ldvt, &work, &lwork, &iwork, &info)
        guard info == 0 else { return nil }
        return (u: lvt, s: s, vt: lu)
    }
}

/// libopenblas.so.0, opened on first use, and the functions ``BLAS`` calls (`dlopen` + `dlsym`).
struct OpenBLASLibrary: @unchecked Sendable {
    let sgemm: pave_cblas_sgemm_fn
    let getThreads: pave_openblas_get_num_threads_fn
    let setThreads: pave_openblas_set_num_threads_fn
    let sgesdd: pave_sgesdd_fn

    /// Loaded once, thread-safely, by the first caller (Swift's lazy global initialisation).
    static let shared = OpenBLASLibrary.load()

    private static func load() -> OpenBLASLibrary {
        // One thread: OPENBLAS_NUM_THREADS (read first by OpenBLAS, before GOTO_ / OMP_NUM_THREADS) is 1 only for the
        // load, then the environment is put back, so child processes see what the user set.
        let saved = getenv("OPENBLAS_NUM_THREADS").map { String(cString: $0) }
        setenv("OPENBLAS_NUM_THREADS", "1", 1)
        let handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL)
        if let saved { setenv("OPENBLAS_NUM_THREADS", saved, 1) } else { unsetenv("OPENBLAS_NUM_THREADS") }
        guard let handle else {
            fatalError("cannot load OpenBLAS (libopenblas.so.0): \(dlerror().map { String(cString: $0) } ?? "unknown error"); install Debian's libopenblas0")
        }
        func symbol<T>(_ name: String, as: T.Type) -> T {
            guard let p = dlsym(handle, name) else { fatalError("OpenBLAS (libopenblas.so.0) has no symbol \(name)") }
            return unsafeBitCast(p, to: T.self)
        }
        return OpenBLASLibrary(sgemm: symbol("cblas_sgemm", as: pave_cblas_sgemm_fn.self),
                               getThreads: symbol("openblas_get_num_threads", as: pave_openblas_get_num_threads_fn.self),
                               setThreads: symbol("openblas_set_num_threads", as: pave_openblas_set_num_threads_fn.self),
                               sgesdd: symbol("sgesdd_", as: pave_sgesdd_fn.self))
    }
}
