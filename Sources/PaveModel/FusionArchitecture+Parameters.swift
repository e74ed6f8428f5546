/// One parameter tensor of the fusion module, as the PAVE `state_dict` names it.
public struct FusionParameter: Sendable, Equatable, Hashable {
    /// Name relative to the module (`cross_attn_layers.0.attn.q_linear.weight`).
    public var name: String
    /// Exact shape.
    public var shape: [Int]
    /// `false` for `cross_attn_layers.i.attn.v_linear.*`: stored in every checkpoint, never read by the forward.
    public var usedInForward: Bool
}

extension FusionArchitecture {
    /// Largest width / count accepted for any hyperparameter (a guard against absurd manifests).
    public static let maxDimension = 1 << 20
    /// Largest number of decoder layers accepted.
    public static let maxLayers = 256
    /// Largest output-MLP depth accepted.
    public static let maxMLPDepth = 16

    /// Per-head width `hidden_dim / heads`.
    public var headDim: Int { heads > 0 ? hiddenDim / heads : 0 }

    /// Width of the module's output (the `fused` tensor's columns): `output_dim`, except for `mlp_depth = 1`,
    /// where PAVE builds only `Linear(D, 2D)` and ignores `output_dim` (PAVE_FORWARD §6.9), and without an
    /// output MLP, where it is the decoder width.
    public var effectiveOutputDim: Int {
        guard outputMLP else { return hiddenDim }
        return mlpDepth == 1 ? 2 * hiddenDim : outputDim
    }

    /// Checks every hyperparameter against the constraints the real PAVE code imposes (or crashes on).
    public func checkHyperparameters() throws(PatchSemanticsError) {
        guard type == "pave-v5" else { throw .invalidArchitecture(field: "type", reason: "\"\(type)\" is not a known fusion module type (expected \"pave-v5\")") }
        let dims: [(String, Int)] = [("input_dim", inputDim), ("embed_dim", embedDim), ("query_dim", queryDim),
                                      ("hidden_dim", hiddenDim), ("output_dim", outputDim), ("heads", heads)]
        for (field, v) in dims where v < 1 || v > Self.maxDimension {
            throw .invalidArchitecture(field: field, reason: "\(v) is outside 1…\(Self.maxDimension)")
        }
        guard layers >= 0, layers <= Self.maxLayers else { throw .invalidArchitecture(field: "layers", reason: "\(layers) is outside 0…\(Self.maxLayers)") }
        guard hiddenDim % heads == 0 else {
            throw .invalidArchitecture(field: "heads", reason: "hidden_dim \(hiddenDim) is not divisible by \(heads) heads")
        }
        if rope == .threeD, headDim != 128 {
            throw .invalidArchitecture(field: "rope", reason: "3D RoPE needs head dim 128 (sections [16,24,24]×2), but hidden_dim \(hiddenDim) / heads \(heads) = \(headDim)")
        }
        guard querySource == "slow_feat_before_mlp" || querySource == "slow_feat" else {
            throw .invalidArchitecture(field: "query_source", reason: "\"\(querySource)\" is not supported (expected \"slow_feat_before_mlp\" or \"slow_feat\")")
        }
        if outputMLP {
            guard mlpDepth >= 1, mlpDepth <= Self.maxMLPDepth else {
                throw .invalidArchitecture(field: "mlp_depth", reason: "\(mlpDepth) is outside 1…\(Self.maxMLPDepth)")
            }
            if mlpDepth >= 3, outputDim != 2 * hiddenDim {
                throw .invalidArchitecture(field: "mlp_depth", reason: "depth \(mlpDepth) chains Linear(2·hidden_dim, output_dim) layers, which needs output_dim = \(2 * hiddenDim), got \(outputDim)")
            }
            if mlpDepth == 1, outputNorm, outputDim != 2 * hiddenDim {
                throw .invalidArchitecture(field: "mlp_depth", reason: "depth 1 outputs 2·hidden_dim = \(2 * hiddenDim) columns but output_norm is LayerNorm(output_dim = \(outputDim)) (PAVE crashes here)")
            }
        } else if hiddenDim != outputDim {
            throw .invalidArchitecture(field: "output_mlp", reason: "without an output MLP, output_dim (\(outputDim)) must equal hidden_dim (\(hiddenDim))")
        }
    }

    /// Every parameter tensor of the module, in PAVE `state_dict` order (PAVE_FORWARD §7), with exact shapes.
    /// Call ``checkHyperparameters()`` first.
    public var parameters: [FusionParameter] {
        let d = hiddenDim, e = embedDim
        var p: [FusionParameter] = []
        func add(_ n: String, _ s: [Int], used: Bool = true) { p.append(FusionParameter(name: n, shape: s, usedInForward: used)) }
        add("input_mapping.weight", [e, inputDim]); add("input_mapping.bias", [e])
        add("query_input_mapping.weight", [d, queryDim]); add("query_input_mapping.bias", [d])
        for i in 0..<max(layers, 0) {
            let l = "cross_attn_layers.\(i)."
            add(l + "attn.q_linear.weight", [d, d]); add(l + "attn.q_linear.bias", [d])
            add(l + "attn.k_linear.weight", [d, e]); add(l + "attn.k_linear.bias", [d])
            add(l + "attn.v_linear.weight", [d, e], used: false); add(l + "attn.v_linear.bias", [d], used: false)
            add(l + "ffn.0.weight", [d]); add(l + "ffn.0.bias", [d])
            add(l + "ffn.1.weight", [2 * d, d]); add(l + "ffn.3.weight", [d, 2 * d])
        }
        if outputMLP {
            add("output_mapping.0.weight", [2 * d, d]); add("output_mapping.0.bias", [2 * d])
            if mlpDepth >= 2 {
                for j in 1..<mlpDepth {
                    add("output_mapping.\(2 * j).weight", [outputDim, 2 * d]); add("output_mapping.\(2 * j).bias", [outputDim])
                }
            }
        }
        if outputNorm {
            add("output_norm.weight", [effectiveOutputDim]); add("output_norm.bias", [effectiveOutputDim])
        }
        return p
    }
}
