import PaveModel

/// The matrix products of one forward, phase by phase, with the same shapes and the same row tiling as
/// ``FusionModule/forward(visual:side:chunkNum:sideLength:)`` — for the benchmark's "GEMMs alone" timing and
/// for FLOP counts.
public struct FusionWorkload: Sendable {
    /// One `sgemm`: `C (m×n) = A (m×k) · op(B)`, repeated `count` times inside its tile.
    public struct Product: Sendable, Equatable {
        public var m: Int, n: Int, k: Int, count: Int
        public var transB: Bool
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(count) }
    }
    /// Tiles run in parallel; each tile runs its products in order.
    public struct Phase: Sendable {
        public var name: String
        public var tiles: [[Product]]
    }
    public var phases: [Phase]

    /// Total floating-point operations of the products (multiply + add).
    public var flops: Double { phases.reduce(0) { $0 + $1.tiles.reduce(0) { $0 + $1.reduce(0) { $0 + $1.flops } } } }

    /// Runs every product through OpenBLAS on scratch buffers, phases in order, tiles spread over `threads`
    /// threads exactly as the forward spreads them (OpenBLAS single-threaded when `threads > 1`).
    public func run(threads: Int) {
        let maxA = phases.flatMap(\.tiles).flatMap { $0 }.map { $0.m * $0.k }.max() ?? 1
        let maxB = phases.flatMap(\.tiles).flatMap { $0 }.map { $0.n * $0.k }.max() ?? 1
        let maxC = phases.flatMap(\.tiles).flatMap { $0 }.map { $0.m * $0.n }.max() ?? 1
        let a = SharedFloats(count: maxA), b = SharedFloats(count: maxB)
        for i in 0..<maxA { a.base[i] = Float(i % 7) * 0.01 }
        for i in 0..<maxB { b.base[i] = Float(i % 5) * 0.01 }
        let aS = a.shared, bS = b.shared
        Parallel.withSingleThreadedBLAS {
            for phase in phases {
                let tiles = phase.tiles
                Parallel.forEach(tiles.count, threads: threads) { t in
                    let c = UnsafeMutablePointer<Float>.allocate(capacity: maxC)
                    defer { c.deallocate() }
                    for p in tiles[t] {
                        for _ in 0..<p.count {
                            BLAS.sgemm(transA: false, transB: p.transB, m: p.m, n: p.n, k: p.k, a: aS.base, lda: p.k,
                                       b: bS.base, ldb: p.transB ? p.k : p.n, c: c, ldc: p.n)
                        }
                    }
                }
            }
        }
    }
}

extension FusionModule {
    /// The matrix products ``forward(visual:side:chunkNum:sideLength:)`` performs for `geometry`.
    public func workload(_ g: Geometry) -> FusionWorkload {
        let a = architecture, d = a.hiddenDim, e = a.embedDim, hd = a.headDim, tile = Self.rowTile
        func rowTiles(_ rows: Int, _ inDim: Int, _ outDim: Int) -> [[FusionWorkload.Product]] {
            stride(from: 0, to: rows, by: tile).map { [FusionWorkload.Product(m: min(tile, rows - $0), n: outDim, k: inDim, count: 1, transB: true)] }
        }
        var phases: [FusionWorkload.Phase] = []
        phases.append(.init(name: "input_mapping", tiles: rowTiles(g.sideFrames * g.sk, a.inputDim, e)))
        phases.append(.init(name: "query_input_mapping", tiles: rowTiles(g.tq * g.sq, a.queryDim, d)))
        let framesPerTile = max(1, tile / g.sq)
        for i in 0..<a.layers {
            phases.append(.init(name: "layer\(i).k_linear", tiles: rowTiles(g.tk * g.sk, e, d)))
            var tiles: [[FusionWorkload.Product]] = []
            for f0 in stride(from: 0, to: g.tq, by: framesPerTile) {
                let frames = min(framesPerTile, g.tq - f0), rows = frames * g.sq
                var ps = [FusionWorkload.Product(m: rows, n: d, k: d, count: 1, transB: true)]
                for f in f0..<(f0 + frames) where g.chunkLengths[f] > 0 {
                    let keys = g.chunkLengths[f] * g.sk
                    ps.append(.init(m: g.sq, n: keys, k: hd, count: a.heads, transB: true))
                    ps.append(.init(m: g.sq, n: hd, k: keys, count: a.heads, transB: false))
                }
                ps.append(.init(m: rows, n: 2 * d, k: d, count: 1, transB: true))
                ps.append(.init(m: rows, n: d, k: 2 * d, count: 1, transB: true))
                tiles.append(ps)
            }
            phases.append(.init(name: "layer\(i).attention+ffn", tiles: tiles))
        }
        let nq = g.tq * g.sq
        var out: [[FusionWorkload.Product]] = []
        for r0 in stride(from: 0, to: nq, by: tile) {
            var inDim = d
            out.append(weights.outputMLP.map { l in
                defer { inDim = l.outDim }
                return FusionWorkload.Product(m: min(tile, nq - r0), n: l.outDim, k: inDim, count: 1, transB: true)
            })
        }
        phases.append(.init(name: "output_mapping", tiles: out))
        return FusionWorkload(phases: phases)
    }
}
