import PaveFormat

/// The patch semantics a manifest declares: the fusion module's architecture, the LoRA adapters, the side
/// channel and the stored reference vector sets (spec/patch-semantics.md).
///
/// A `.pave` is a PAVE patch when its manifest has a `fusion` section, a `lora` section, or both.
public struct PatchSpec: Sendable, Equatable {
    /// The fusion module (`PAVEModuleV5`), if the patch carries one.
    public var fusion: FusionArchitecture?
    /// The LoRA adapters, if the patch carries any.
    public var lora: LoRAConfig?
    /// The side channel the fusion module reads.
    public var sideChannel: SideChannel?
    /// Stored reference vector sets (inputs + expected outputs), in manifest order.
    public var referenceVectors: [ReferenceVectorSet]

    public init(fusion: FusionArchitecture? = nil, lora: LoRAConfig? = nil, sideChannel: SideChannel? = nil,
                referenceVectors: [ReferenceVectorSet] = []) {
        self.fusion = fusion; self.lora = lora; self.sideChannel = sideChannel; self.referenceVectors = referenceVectors
    }

    /// Reads the semantic sections of `manifest` and checks the hyperparameters.
    ///
    /// - Throws: ``PatchSemanticsError/invalidSection(key:reason:)`` when a section does not decode,
    ///   ``PatchSemanticsError/invalidArchitecture(field:reason:)`` when it is inconsistent.
    public init(manifest: Manifest) throws(PatchSemanticsError) {
        func section<T: Decodable>(_ t: T.Type, _ key: String) throws(PatchSemanticsError) -> T? {
            do { return try manifest.decode(T.self, forKey: key) } catch {
                throw .invalidSection(key: key, reason: Self.describe(error))
            }
        }
        fusion = try section(FusionArchitecture.self, ManifestKey.fusion)
        lora = try section(LoRAConfig.self, ManifestKey.lora)
        sideChannel = try section(SideChannel.self, ManifestKey.sideChannel)
        referenceVectors = try section([ReferenceVectorSet].self, ManifestKey.referenceVectors) ?? []
        try check()
    }

    /// Whether the manifest declares a PAVE patch (a fusion module or LoRA adapters).
    public var isPAVEPatch: Bool { fusion != nil || lora != nil }

    /// Writes the sections into `manifest` (absent ones are removed; other fields are kept).
    public func write(into manifest: inout Manifest) throws {
        try manifest.encode(fusion, forKey: ManifestKey.fusion)
        try manifest.encode(lora, forKey: ManifestKey.lora)
        try manifest.encode(sideChannel, forKey: ManifestKey.sideChannel)
        try manifest.encode(referenceVectors.isEmpty ? nil : referenceVectors, forKey: ManifestKey.referenceVectors)
    }

    /// Consistency checks that need no tensors.
    public func check() throws(PatchSemanticsError) {
        try fusion?.checkHyperparameters()
        if let lora { try lora.check() }
        if let l = sideChannel?.layout {
            let dims = [("H", l.h), ("W", l.w), ("C", l.c)] + (l.t.map { [("T", $0)] } ?? [])
            for (k, v) in dims where v < 1 || v > FusionArchitecture.maxDimension {
                throw .invalidSection(key: ManifestKey.sideChannel, reason: "layout \(k) = \(v) is outside 1…\(FusionArchitecture.maxDimension)")
            }
        }
        if let r = sideChannel?.rateHz, !(r > 0 && r.isFinite) {
            throw .invalidSection(key: ManifestKey.sideChannel, reason: "rate_hz must be a positive number, got \(r)")
        }
        if let sideChannel, let fusion, sideChannel.layout.c != fusion.inputDim {
            throw .invalidSection(key: ManifestKey.sideChannel, reason: "layout C = \(sideChannel.layout.c) but fusion input_dim = \(fusion.inputDim)")
        }
        var names = Set<String>()
        for set in referenceVectors {
            guard !set.name.isEmpty, names.insert(set.name).inserted else {
                throw .invalidSection(key: ManifestKey.referenceVectors, reason: "reference set names must be non-empty and unique (\"\(set.name)\")")
            }
            guard set.atol >= 0, set.rtol >= 0, set.atol.isFinite, set.rtol.isFinite else {
                throw .invalidSection(key: ManifestKey.referenceVectors, reason: "set \"\(set.name)\": atol/rtol must be finite and non-negative")
            }
            if let c = set.chunkNum, c < 1 { throw .invalidSection(key: ManifestKey.referenceVectors, reason: "set \"\(set.name)\": chunk_num must be ≥ 1") }
            if let s = set.sideLength, s < 1 { throw .invalidSection(key: ManifestKey.referenceVectors, reason: "set \"\(set.name)\": side_length must be ≥ 1") }
            for m in set.loraModules where !(lora?.targetModules.contains(m) ?? false) {
                throw .invalidSection(key: ManifestKey.referenceVectors, reason: "set \"\(set.name)\" stores a delta for \"\(m)\", which is not a LoRA target module")
            }
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, ctx):
            return "missing field \"\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))\""
        case let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx), let DecodingError.dataCorrupted(ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "field \"\(path)\": ") + ctx.debugDescription
        default:
            return "\(error)"
        }
    }
}

extension LoRAConfig {
    /// The names of module `module`'s two tensors.
    public func tensorNames(module: String) -> (a: String, b: String) {
        (tensorPrefix + module + ".lora_A.weight", tensorPrefix + module + ".lora_B.weight")
    }

    /// Rank, alpha and the PEFT options pavepkg cannot honour.
    public func check() throws(PatchSemanticsError) {
        let key = ManifestKey.lora
        guard r >= 1, r <= FusionArchitecture.maxDimension else { throw .invalidSection(key: key, reason: "r = \(r) is outside 1…\(FusionArchitecture.maxDimension)") }
        guard alpha.isFinite else { throw .invalidSection(key: key, reason: "alpha must be finite") }
        guard Set(targetModules).count == targetModules.count else { throw .invalidSection(key: key, reason: "target_modules has duplicates") }
        for m in targetModules where m.isEmpty { throw .invalidSection(key: key, reason: "target_modules has an empty name") }
        if let peft = peftConfig {
            for field in ["rank_pattern", "alpha_pattern"] {
                if let o = peft[field]?.objectValue, !o.isEmpty {
                    throw .invalidSection(key: key, reason: "peft_config.\(field) is not empty: per-module ranks/alphas are not supported")
                }
            }
            if peft["fan_in_fan_out"]?.boolValue == true { throw .invalidSection(key: key, reason: "peft_config.fan_in_fan_out = true is not supported") }
            if peft["use_dora"]?.boolValue == true { throw .invalidSection(key: key, reason: "peft_config.use_dora = true is not supported") }
            if let rs = peft["use_rslora"]?.boolValue, rs != useRSLoRA {
                throw .invalidSection(key: key, reason: "use_rslora (\(useRSLoRA)) disagrees with peft_config.use_rslora (\(rs))")
            }
        }
    }
}
