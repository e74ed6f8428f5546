import Testing
@testable import PaveExecutor

@Suite struct BLASTests {
    @Test func sgemmMatchesHandComputedProduct() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]        // 2×3
        let b: [Float] = [7, 8, 9, 10, 11, 12]     // 3×2
        var c = [Float](repeating: 0, count: 4)
        BLAS.sgemm(transA: false, transB: false, m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, c: &c, ldc: 2)
        #expect(c == [58, 64, 139, 154])
    }

    @Test func svdReconstructsMatrix() throws {
        let m = 3, n = 2
        let a: [Float] = [3, 1, 1, 3, 2, 2]
        let r = try #require(BLAS.svd(a, m: m, n: n))
        #expect(r.s[0] >= r.s[1])
        for i in 0..<m { for j in 0..<n {
            var v: Float = 0
            for k in 0..<2 { v += r.u[i * 2 + k] * r.s[k] * r.vt[k * n + j] }
            #expect(abs(v - a[i * n + j]) < 1e-4)
        } }
    }
}
