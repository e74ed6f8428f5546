import Foundation
import Testing
import PaveFormat
import PaveModel
@testable import PaveExecutor

/// Hand-checked cases for each step of the forward (PAVE_FORWARD §3–§5).
@Suite struct StepTests {
    @Test func chunkSplitPutsLongerChunksFirst() {
        #expect(ChunkSplit.lengths(sideFrames: 8, queryFrames: 4) == [2, 2, 2, 2])
        #expect(ChunkSplit.lengths(sideFrames: 13, queryFrames: 5) == [3, 3, 3, 2, 2])
        #expect(ChunkSplit.lengths(sideFrames: 120, queryFrames: 32) == Array(repeating: 4, count: 24) + Array(repeating: 3, count: 8))
        #expect(ChunkSplit.lengths(sideFrames: 3, queryFrames: 5) == [1, 1, 1, 0, 0])
        #expect(ChunkSplit.offsets([3, 3, 3, 2, 2]) == [0, 3, 6, 9, 11])
    }

    @Test func upsamplingLengthFollowsTheFloorRule() {
        #expect(TemporalUpsampling.outputLength(frames: 11, chunkNum: 15) == 14)
        #expect(TemporalUpsampling.outputLength(frames: 47, chunkNum: 48) == 47)
        for t in 1..<32 { #expect(TemporalUpsampling.outputLength(frames: t, chunkNum: 32) == 32, "T = \(t)") }
        #expect(TemporalUpsampling.outputLength(frames: 40, chunkNum: 32) == 40)   // no upsampling when T ≥ chunk_num
        #expect(TemporalUpsampling.outputLength(frames: 5, chunkNum: 8) == 8)
    }

    @Test func upsamplingInterpolatesWithAlignedCorners() {
        // 3 frames → 5: source positions 0, 0.5, 1, 1.5, 2.
        let input: [Float] = [0, 10, 2, 20, 4, 40]   // 3 frames × 2 values
        var out = [Float](repeating: -1, count: 10)
        input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in
            TemporalUpsampling.apply(i.baseAddress!, frames: 3, frameSize: 2, outFrames: 5, into: o.baseAddress!)
        } }
        #expect(out == [0, 10, 1, 15, 2, 20, 3, 30, 4, 40])
        let single = TemporalUpsampling.source(of: 0, inFrames: 1, outFrames: 4)
        #expect(single.lower == 0 && single.upper == 0 && single.lowerWeight == 1)
    }

    @Test func linspaceIndicesAreFloored() {
        #expect(RoPE3D.ilinspace(0, 7, 4) == [0, 2, 4, 7])
        #expect(RoPE3D.ilinspace(0, 7, 3) == [0, 3, 7])
        #expect(RoPE3D.ilinspace(0, 31, 1) == [0])
        #expect(RoPE3D.ilinspace(0, 119, 32).prefix(4) == [0, 3, 7, 11])
        #expect(RoPE3D.centers(14, 24) == [0, 2, 4, 6, 7, 9, 11, 12, 14, 16, 18, 19, 21, 23])
        #expect(RoPE3D.centers(2, 3) == [0, 2])
        #expect(RoPE3D.centers(3, 3) == [0, 1, 2])
        #expect(RoPE3D.centers(24, 24) == Array(0..<24))
    }

    @Test func ropePositionsUseCellCentresAndGlobalTime() {
        let (q, k) = RoPE3D.positions(tq: 4, sq: 4, tk: 8, sk: 9)
        #expect(q.count == 16 && k.count == 72)
        #expect(Set(q.t) == [0, 2, 4, 7])
        #expect(Array(q.h.prefix(4)) == [0, 0, 2, 2] && Array(q.w.prefix(4)) == [0, 2, 0, 2])
        #expect(Array(k.h.prefix(9)) == [0, 0, 0, 1, 1, 1, 2, 2, 2] && Array(k.w.prefix(3)) == [0, 1, 2])
        #expect(k.t[71] == 7)
        // S_q ≥ S_k: the query keeps its own grid, the keys take centres of the larger grid.
        let (q2, k2) = RoPE3D.positions(tq: 3, sq: 9, tk: 7, sk: 4)
        #expect(Array(q2.h.prefix(9)) == [0, 0, 0, 1, 1, 1, 2, 2, 2])
        #expect(Set(k2.h) == [0, 2])
        #expect(Set(q2.t) == [0, 3, 6])
    }

    @Test func ropeTableAndHalfSplitRotation() {
        #expect(RoPE3D.inverseFrequencies[0] == 1)
        #expect(abs(RoPE3D.inverseFrequencies[32] - 0.01) < 1e-8)
        let t = RoPE3D.table(positions: 3)
        #expect(t.cos[64] == Float(cos(1.0)) && t.sin[64] == Float(sin(1.0)))
        #expect(t.cos[0] == 1 && t.sin[0] == 0)
        // Token at (t=1, h=2, w=0): channel 0 (temporal) rotates by 1 rad, channel 20 (height) by 2·inv_freq[20],
        // channel 50 (width) not at all.
        var x = [Float](repeating: 0, count: 128)
        x[0] = 1; x[20] = 1; x[50] = 1; x[114] = 3
        let pos = RoPE3D.Positions(t: [1], h: [2], w: [0])
        t.cos.withUnsafeBufferPointer { c in t.sin.withUnsafeBufferPointer { s in x.withUnsafeMutableBufferPointer { xp in
            RoPE3D.rotate(xp.baseAddress!, rows: 1, ld: 128, heads: 1, firstToken: 0, positions: pos, cos: c.baseAddress!, sin: s.baseAddress!)
        } } }
        #expect(abs(x[0] - Float(cos(1.0))) < 1e-7 && abs(x[64] - Float(sin(1.0))) < 1e-7)
        let a = Double(2 * RoPE3D.inverseFrequencies[20])
        #expect(abs(x[20] - Float(cos(a))) < 1e-6 && abs(x[84] - Float(sin(a))) < 1e-6)
        #expect(x[50] == 1 && x[114] == 3)
    }

    @Test func geluIsTheExactErfForm() {
        var v: [Float] = [1, -1, 0, 3]
        v.withUnsafeMutableBufferPointer { Kernels.gelu($0.baseAddress!, count: 4) }
        #expect(abs(v[0] - 0.8413447460685429) < 1e-7)
        #expect(abs(v[1] + 0.15865525393145707) < 1e-7)
        #expect(v[2] == 0)
        #expect(abs(v[3] - 2.9959502) < 1e-6)   // the tanh approximation gives 2.9963627
    }

    @Test func layerNormUsesBiasedVarianceAndEps() {
        var x: [Float] = [1, 2, 3]
        let g: [Float] = [1, 2, 1], b: [Float] = [0, 0, 0.5]
        var y = [Float](repeating: 0, count: 3)
        x.withUnsafeMutableBufferPointer { xp in g.withUnsafeBufferPointer { gp in b.withUnsafeBufferPointer { bp in y.withUnsafeMutableBufferPointer { yp in
            Kernels.layerNorm(xp.baseAddress!, rows: 1, n: 3, ldx: 3, gamma: gp.baseAddress!, beta: bp.baseAddress!, into: yp.baseAddress!, ldy: 3)
        } } } }
        let r = Float(1 / (2.0 / 3.0 + 1e-5).squareRoot())
        #expect(abs(y[0] + r) < 1e-6 && y[1] == 0 && abs(y[2] - (r + 0.5)) < 1e-6)
        // With a fused bias: LN(x + bias).
        var z: [Float] = [0, 0, 0], out = [Float](repeating: 0, count: 3)
        let bias: [Float] = [1, 2, 3]
        z.withUnsafeMutableBufferPointer { zp in g.withUnsafeBufferPointer { gp in b.withUnsafeBufferPointer { bp in bias.withUnsafeBufferPointer { bi in out.withUnsafeMutableBufferPointer { op in
            Kernels.layerNorm(zp.baseAddress!, rows: 1, n: 3, ldx: 3, gamma: gp.baseAddress!, beta: bp.baseAddress!, bias: bi.baseAddress!, into: op.baseAddress!, ldy: 3)
        } } } } }
        #expect(out == y && z == [1, 2, 3])
    }

    @Test func halfAndBFloat16ConversionsAreExact() {
        #expect(FloatConversion.halfToFloat(0x3C00) == 1)
        #expect(FloatConversion.halfToFloat(0xC000) == -2)
        #expect(FloatConversion.halfToFloat(0x7BFF) == 65504)
        #expect(FloatConversion.halfToFloat(0x0001) == 0x1p-24)
        #expect(FloatConversion.halfToFloat(0x8000).sign == .minus)
        #expect(FloatConversion.halfToFloat(0x7C00) == .infinity)
        #expect(FloatConversion.halfToFloat(0x7E00).isNaN)
        for bits in stride(from: 0, through: 0xFFFF, by: 7) {
            let h = UInt16(bits), f = FloatConversion.halfToFloat(h), ref = Float(Float16(bitPattern: h))
            #expect(f.bitPattern == ref.bitPattern || (f.isNaN && ref.isNaN))
        }
        let bf = FloatConversion.toFloat32([0x80, 0x3F, 0x00, 0xC0], dtype: .bf16, count: 2)
        #expect(bf == [1, -2])
        #expect(FloatConversion.floatToBFloat16(1.00390625) == 0x3F80)   // ties to even
        #expect(FloatConversion.toFloat32([1, 2, 3], dtype: .f32, count: 1) == nil)
        #expect(FloatConversion.toFloat32([0, 0], dtype: .i16, count: 1) == nil)
    }
}
