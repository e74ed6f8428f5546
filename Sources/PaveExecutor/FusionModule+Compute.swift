import Foundation
import PaveFormat
import PaveModel

extension FusionModule {
    /// Rows per tile of the token-parallel GEMMs (tile boundaries depend on sizes only, never on threads).
    static let rowTile = 512

    /// The forward on validated inputs (PAVE_FORWARD §3). Returns `T_q·S_q × outputDim` values.
    func compute(visual: [Float], side: [Float], geometry g: Geometry) -> [Float] {
        Parallel.withSingleThreadedBLAS {
            let x = mapQueries(visual, geometry: g)
            defer { workspace.give(x) }
            do {
                // The side buffers live only while the decoder layers run: they are freed (not kept in the
                // workspace) before the output is allocated, which keeps the peak memory low.
                let k0 = mapSide(side, geometry: g)
                decode(x, k0: k0, geometry: g)
                withExtendedLifetime(k0) {}
            }
            return outputStage(x, geometry: g)
        }
    }

    /// §3.2: query mapping → X (T_q·S_q, D).
    func mapQueries(_ visual: [Float], geometry g: Geometry) -> SharedFloats {
        let a = architecture, w = weights, threads = self.threads, d = a.hiddenDim, nq = g.tq * g.sq
        let x = workspace.take(nq * d)
        visual.withShared { src in
            Self.parallelLinear(src, rows: nq, inDim: a.queryDim, weight: w.queryW, bias: w.queryB, outDim: d, into: x.shared, threads: threads)
        }
        return x
    }

    /// §3.3–3.4: side truncation, input mapping → K0 (T_k·S_k, E), temporal upsampling when T < chunk_num.
    func mapSide(_ side: [Float], geometry g: Geometry) -> SharedFloats {
        let a = architecture, w = weights, threads = self.threads, e = a.embedDim, nk = g.tk * g.sk
        let k0 = SharedFloats(count: nk * e)
        side.withShared { src in
            if g.tk == g.sideFrames {
                Self.parallelLinear(src, rows: g.sideFrames * g.sk, inDim: a.inputDim, weight: w.inputW, bias: w.inputB, outDim: e, into: k0.shared, threads: threads)
            } else {
                let mapped = SharedFloats(count: g.sideFrames * g.sk * e)
                defer { withExtendedLifetime(mapped) {} }
                Self.parallelLinear(src, rows: g.sideFrames * g.sk, inDim: a.inputDim, weight: w.inputW, bias: w.inputB, outDim: e, into: mapped.shared, threads: threads)
                TemporalUpsampling.apply(mapped.base, frames: g.sideFrames, frameSize: g.sk * e, outFrames: g.tk, into: k0.base)
            }
        }
        return k0
    }

    /// §3.6, §4, §5: the decoder layers, updating X in place.
    func decode(_ x: SharedFloats, k0: SharedFloats, geometry g: Geometry) {
        let a = architecture, w = weights, threads = self.threads
        let d = a.hiddenDim, e = a.embedDim, nh = a.heads, hd = a.headDim, nk = g.tk * g.sk
        // §5: RoPE tables, when used.
        let rope: (q: RoPE3D.Positions, k: RoPE3D.Positions, cos: [Float], sin: [Float])? = {
            guard a.rope == .threeD else { return nil }
            let (qp, kp) = RoPE3D.positions(tq: g.tq, sq: g.sq, tk: g.tk, sk: g.sk)
            let t = RoPE3D.table(positions: max(qp.extent, kp.extent))
            return (qp, kp, t.cos, t.sin)
        }()
        let lengths = g.chunkLengths, offsets = ChunkSplit.offsets(lengths)
        let framesPerTile = max(1, Self.rowTile / g.sq)
        let frameTiles = (g.tq + framesPerTile - 1) / framesPerTile
        let maxKeys = (lengths.max() ?? 0) * g.sk

        // §3.6: decoder layers. The key/value buffers are allocated once and reused by every layer.
        let v = SharedFloats(count: w.layers.isEmpty ? 0 : nk * d)
        let rotated = rope == nil || w.layers.isEmpty ? nil : SharedFloats(count: nk * d)
        // Raw pointers to these buffers are used by the worker closures: keep the objects alive to the end.
        defer { withExtendedLifetime((v, rotated)) {} }
        for layer in w.layers {
            // k = v = KV·W_kᵀ + b_k (v_linear is never used, quirk 1); k is rotated, v is not (quirk 3).
            Self.parallelLinear(k0.shared, rows: nk, inDim: e, weight: layer.kW, bias: layer.kB, outDim: d, into: v.shared, threads: threads)
            var kRot: SharedFloats = v
            if let rope, let r = rotated {
                r.base.update(from: v.base, count: nk * d)
                let rs = r.shared
                let tiles = (nk + Self.rowTile - 1) / Self.rowTile
                rope.cos.withShared { c in rope.sin.withShared { s in
                    Parallel.forEach(tiles, threads: threads) { t in
                        let r0 = t * Self.rowTile, rows = min(Self.rowTile, nk - r0)
                        RoPE3D.rotate(rs.base + r0 * d, rows: rows, ld: d, heads: nh, firstToken: r0, positions: rope.k, cos: c.base, sin: s.base)
                    }
                } }
                kRot = r
            }
            let xs = x.shared, ks = kRot.shared, vs = v.shared
            let tileRows = framesPerTile * g.sq
            let scratch = 4 * tileRows * d + g.sq * maxKeys
            Parallel.forEach(frameTiles, threads: threads, scratch: scratch) { tile, buffer in
                let f0 = tile * framesPerTile, frames = min(framesPerTile, g.tq - f0)
                let rows = frames * g.sq, r0 = f0 * g.sq
                let xt = xs.base + r0 * d
                let q = buffer, att = buffer + tileRows * d, hidden = buffer + 2 * tileRows * d
                let scores = buffer + 4 * tileRows * d
                layer.qW.withPointer { qW in layer.qB.withPointer { qB in
                    Kernels.linear(xt, rows: rows, inDim: d, ldx: d, weight: qW, outDim: d, bias: qB, into: q, ldy: d)
                } }
                if let rope {
                    rope.cos.withPointer { cp in rope.sin.withPointer { sp in
                        RoPE3D.rotate(q, rows: rows, ld: d, heads: nh, firstToken: r0, positions: rope.q, cos: cp, sin: sp)
                    } }
                }
                // §4.3–4.4: query frame f attends to its chunk of side frames, per head.
                let scale = 1 / Float(hd).squareRoot()
                for fi in 0..<frames {
                    let f = f0 + fi
                    let keys = lengths[f] * g.sk, k0row = offsets[f] * g.sk
                    let qf = q + fi * g.sq * d, of = att + fi * g.sq * d
                    guard keys > 0 else {
                        // Zero-length chunk: every key masked; output 0 like PyTorch ≥ 2.5.
                        of.initialize(repeating: 0, count: g.sq * d)
                        continue
                    }
                    for j in 0..<nh {
                        BLAS.sgemm(transA: false, transB: true, m: g.sq, n: keys, k: hd, alpha: scale,
                                   a: qf + j * hd, lda: d, b: ks.base + k0row * d + j * hd, ldb: d, c: scores, ldc: keys)
                        Kernels.softmaxRows(scores, rows: g.sq, n: keys)
                        BLAS.sgemm(transA: false, transB: false, m: g.sq, n: hd, k: keys,
                                   a: scores, lda: keys, b: vs.base + k0row * d + j * hd, ldb: d, c: of + j * hd, ldc: d)
                    }
                }
                // Residual, then the pre-LN bias-free FFN with exact GELU.
                for i in 0..<(rows * d) { xt[i] += att[i] }
                layer.lnW.withPointer { g1 in layer.lnB.withPointer { b1 in
                    Kernels.layerNorm(xt, rows: rows, n: d, ldx: d, gamma: g1, beta: b1, into: q, ldy: d)
                } }
                layer.ffn1.withPointer { w1 in
                    Kernels.linear(q, rows: rows, inDim: d, ldx: d, weight: w1, outDim: 2 * d, bias: nil, into: hidden, ldy: 2 * d)
                }
                Kernels.gelu(hidden, count: rows * 2 * d)
                layer.ffn3.withPointer { w3 in
                    Kernels.linear(hidden, rows: rows, inDim: 2 * d, ldx: 2 * d, weight: w3, outDim: d, bias: nil, into: xt, ldy: d, accumulate: true)
                }
            }
        }
    }

    /// §3.8–3.10: output MLP (GELU between Linears) and output LayerNorm, tile by tile into the result.
    func outputStage(_ x: SharedFloats, geometry g: Geometry) -> [Float] {
        let a = architecture, w = weights, threads = self.threads, d = a.hiddenDim, nq = g.tq * g.sq
        let outDim = outputDim
        let mlp = w.outputMLP, norm = w.outputNorm
        return [Float](unsafeUninitializedCapacity: nq * outDim) { buffer, n in
            guard let base = buffer.baseAddress else { n = 0; return }
            HugePages.advise(UnsafeMutableRawBufferPointer(start: base, count: nq * outDim * MemoryLayout<Float>.stride))
            let out = SharedPointer(base)
            let xs = x.shared
            let tiles = (nq + Self.rowTile - 1) / Self.rowTile
            let widest = mlp.map(\.outDim).max() ?? d
            Parallel.forEach(tiles, threads: threads, scratch: 2 * Self.rowTile * widest) { t, buffer in
                let r0 = t * Self.rowTile, rows = min(Self.rowTile, nq - r0)
                let o = out.base + r0 * outDim
                var cur = UnsafeMutablePointer<Float>(xs.base + r0 * d), curDim = d
                let bufA = buffer, bufB = buffer + Self.rowTile * widest
                // Each Linear's bias is fused into the pass that follows it: GELU for inner layers, the output
                // LayerNorm (or a plain bias add) for the last one.
                for (i, layer) in mlp.enumerated() {
                    let last = i == mlp.count - 1
                    let dst = last ? o : (i % 2 == 0 ? bufA : bufB)
                    layer.w.withPointer { wp in layer.b.withPointer { bp in
                        Kernels.linear(cur, rows: rows, inDim: curDim, ldx: curDim, weight: wp, outDim: layer.outDim, bias: nil, into: dst, ldy: layer.outDim)
                        if !last {
                            Kernels.addBiasGELU(dst, rows: rows, n: layer.outDim, bias: bp)
                        } else if let norm {
                            norm.w.withPointer { gp in norm.b.withPointer { nb in
                                Kernels.layerNorm(dst, rows: rows, n: layer.outDim, ldx: layer.outDim, gamma: gp, beta: nb, bias: bp, into: dst, ldy: layer.outDim)
                            } }
                        } else {
                            Kernels.addBias(dst, rows: rows, n: layer.outDim, ld: layer.outDim, bias: bp)
                        }
                    } }
                    cur = dst; curDim = layer.outDim
                }
                if mlp.isEmpty {
                    o.update(from: cur, count: rows * d)
                    if let norm {
                        norm.w.withPointer { gp in norm.b.withPointer { bp in
                            Kernels.layerNorm(o, rows: rows, n: outDim, ldx: outDim, gamma: gp, beta: bp, into: o, ldy: outDim)
                        } }
                    }
                }
            }
            n = nq * outDim
        }
    }

    /// `y = x · Wᵀ + b` over `rows` rows, in fixed row tiles on up to `threads` threads.
    static func parallelLinear(_ x: SharedPointer<Float>, rows: Int, inDim: Int, weight: [Float], bias: [Float], outDim: Int,
                               into y: SharedPointer<Float>, threads: Int) {
        let tiles = (rows + rowTile - 1) / rowTile
        weight.withShared { wS in bias.withShared { bS in
            Parallel.forEach(tiles, threads: threads) { t in
                let r0 = t * rowTile, n = min(rowTile, rows - r0)
                Kernels.linear(x.base + r0 * inDim, rows: n, inDim: inDim, ldx: inDim, weight: wS.base, outDim: outDim, bias: bS.base, into: y.base + r0 * outDim, ldy: outDim)
            }
        } }
    }
}
