import Foundation
import PaveFormat
import PaveModel

/// The PAVE fusion module (`PAVEModuleV5`, "temporal aggregator") in eval mode, computed in fp32 exactly as
/// the public PAVE code computes it (spec/patch-semantics.md, PAVE_FORWARD.md).
///
/// ```swift
/// let module = try FusionModule(architecture: spec.fusion!, tensors: patchFile)
/// let fused = try module.forward(visual: visual, side: side)   // (T_q·S_q, output width)
/// ```
///
/// Loading converts every used parameter to fp32 once; `forward` is thread-safe and deterministic (bit-identical
/// output for any ``threads`` value).
public final class FusionModule: Sendable {
    /// The architecture the weights were loaded for.
    public let architecture: FusionArchitecture
    /// Worker threads for `forward` (default: the active processor count).
    public let threads: Int
    let weights: FusionWeights

    /// Loads the module's parameters (`architecture.tensorPrefix + P`) from `tensors`.
    ///
    /// - Throws: ``ExecutorError`` naming a missing tensor, or a tensor with the wrong shape or dtype
    ///   (only F32, F16 and BF16 are accepted); ``PatchSemanticsError`` for inconsistent hyperparameters.
    public init(architecture: FusionArchitecture, tensors: any TensorProvider, threads: Int? = nil) throws {
        try architecture.checkHyperparameters()
        self.architecture = architecture
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        weights = try FusionWeights(architecture: architecture, tensors: tensors)
    }

    /// Width of the output rows.
    public var outputDim: Int { architecture.effectiveOutputDim }

    /// The geometry of one forward call, resolved from the input shapes and options.
    public struct Geometry: Sendable, Equatable {
        /// Query frames and tokens per query frame.
        public var tq: Int, sq: Int
        /// Side frames used (after truncation to `side_length`), and after temporal upsampling.
        public var sideFrames: Int, tk: Int
        /// Side tokens per frame (H·W) and the side grid.
        public var sk: Int, h: Int, w: Int
        /// Frames per chunk (one chunk per query frame).
        public var chunkLengths: [Int]
    }

    /// Checks the inputs against the architecture and resolves the geometry of a forward call.
    ///
    /// - Parameters:
    ///   - visualShape: `(T_q, S_q, query_dim)`.
    ///   - sideShape: `(T_k, H, W, input_dim)`.
    ///   - chunkNum: PAVE's `chunk_num` (default `T_q`): the side is upsampled in time when shorter than it.
    ///   - sideLength: PAVE's `frame_num` (default `T_k`): only the first `side_length` side frames are used.
    public func geometry(visualShape: [Int], sideShape: [Int], chunkNum: Int? = nil, sideLength: Int? = nil) throws(ExecutorError) -> Geometry {
        let a = architecture
        guard visualShape.count == 3, visualShape[2] == a.queryDim, visualShape[0] >= 1, visualShape[1] >= 1 else {
            throw .wrongShape(name: "visual", shape: visualShape, expected: "[T_q ≥ 1, S_q ≥ 1, \(a.queryDim)]")
        }
        guard sideShape.count == 4, sideShape[3] == a.inputDim, sideShape[0] >= 1, sideShape[1] >= 1, sideShape[2] >= 1 else {
            throw .wrongShape(name: "side", shape: sideShape, expected: "[T_k ≥ 1, H ≥ 1, W ≥ 1, \(a.inputDim)]")
        }
        let tq = visualShape[0], sq = visualShape[1]
        let sideLength = sideLength ?? sideShape[0]
        guard sideLength >= 1, sideLength <= sideShape[0] else {
            throw .invalidOption(name: "side_length", reason: "\(sideLength) is outside 1…\(sideShape[0]) (the side input has \(sideShape[0]) frames)")
        }
        let chunkNum = chunkNum ?? tq
        guard chunkNum >= 1, chunkNum <= Self.maxFrames else {
            throw .invalidOption(name: "chunk_num", reason: "\(chunkNum) is outside 1…\(Self.maxFrames)")
        }
        let (sk, o) = sideShape[1].multipliedReportingOverflow(by: sideShape[2])
        guard !o else { throw .wrongShape(name: "side", shape: sideShape, expected: "a side grid H·W that fits in memory") }
        let tk = TemporalUpsampling.outputLength(frames: sideLength, chunkNum: chunkNum)
        for (n, a, b) in [("visual", tq, sq), ("side", tk, sk)] {
            let (v, o) = a.multipliedReportingOverflow(by: b)
            guard !o, v <= Self.maxTokens else {
                throw .unsupportedInput(name: n, reason: "\(a) frames × \(b) tokens exceed the \(Self.maxTokens)-token limit")
            }
        }
        if a.rope == .threeD {
            guard RoPE3D.isqrt(sq) * RoPE3D.isqrt(sq) == sq else { throw .unsupportedInput(name: "visual", reason: "3D RoPE needs a square number of tokens per frame, S_q = \(sq)") }
            guard RoPE3D.isqrt(sk) * RoPE3D.isqrt(sk) == sk else { throw .unsupportedInput(name: "side", reason: "3D RoPE needs a square number of tokens per frame, H·W = \(sk)") }
            guard tk >= tq else {
                throw .unsupportedInput(name: "side", reason: "3D RoPE needs at least T_q = \(tq) side frames after upsampling, got \(tk) (PAVE fails with a shape error here)")
            }
        }
        return Geometry(tq: tq, sq: sq, sideFrames: sideLength, tk: tk, sk: sk, h: sideShape[1], w: sideShape[2],
                        chunkLengths: ChunkSplit.lengths(sideFrames: tk, queryFrames: tq))
    }

    /// Largest `chunk_num` accepted.
    public static let maxFrames = 1 << 20
    /// Largest number of tokens (frames × tokens per frame, after upsampling) accepted on either input.
    public static let maxTokens = 1 << 24

    /// Runs the module: `visual (T_q, S_q, query_dim)` and `side (T_k, H, W, input_dim)` → `fused`
    /// `(T_q·S_q, output width)`, row `t·S_q + s`.
    ///
    /// Side chunks of zero frames (only when `T_k < T_q` after upsampling) give an attention output of 0 for
    /// their query frame, as PyTorch ≥ 2.5 does (the pinned PyTorch 2.1.2 gave NaN).
    public func forward(visual: FloatTensor, side: FloatTensor, chunkNum: Int? = nil, sideLength: Int? = nil) throws(ExecutorError) -> FloatTensor {
        let g = try geometry(visualShape: visual.shape, sideShape: side.shape, chunkNum: chunkNum, sideLength: sideLength)
        let out = compute(visual: visual.values, side: side.values, geometry: g)
        return FloatTensor(unchecked: [g.tq * g.sq, outputDim], out)
    }
}
