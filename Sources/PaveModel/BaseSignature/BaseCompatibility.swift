import PaveFormat

/// Checks that a patch fits a base model: every LoRA target is a linear layer of the base with matching
/// features, the fusion module's widths match the LLM hidden size and the vision width, rank and alpha are
/// sane, and the pinned signature / fingerprint (if any) are the base's.
///
/// ``check(manifest:tensorShapes:against:)-(_,_,BaseSignature)`` returns every mismatch (empty = fits);
/// ``require(manifest:tensorShapes:against:)`` is the load-time guard every code path that applies a patch to
/// a base calls first (`pack` / `verify --base`, the registry's `install --base`), so a patch cannot be
/// applied to the wrong model by accident.
public enum BaseCompatibility {
    /// What the checks know about the base.
    struct Target {
        var name: String
        var architecture: BaseArchitecture
        /// `(out, in)` of a decoder linear layer, `nil` when the base has no such layer.
        var linear: (String) -> (out: Int, in: Int)?
        /// Describes the base layer for messages (`weight [896, 896]` or `derived (896, 896)`).
        var describeLayer: (String) -> String
        var structuralSignature: String?
        var contentFingerprint: String?
    }

    /// Every mismatch between the patch (its manifest and the shapes of its tensors, by name) and the base
    /// described by a signature (exact tensor shapes).
    public static func check(manifest: Manifest, tensorShapes: [String: [Int]], against base: BaseSignature) -> [BaseMismatch] {
        let layers = base.description.decoderLinearLayers
        let target = Target(
            name: base.name, architecture: base.description.architecture,
            linear: { layers[$0] },
            describeLayer: { m in layers[m].map { "\(m).weight \(Shape.describe([$0.out, $0.in]))" } ?? m },
            structuralSignature: base.structuralSignature, contentFingerprint: base.contentFingerprint)
        return check(manifest: manifest, tensorShapes: tensorShapes, target: target)
    }

    /// Every mismatch between the patch and a base known only by its architecture (e.g. derived from a PAVE
    /// checkpoint's `config.json`): layer shapes are derived assuming the Qwen2 / LLaMA decoder layout, and
    /// signature pins can only be compared with the reference's own.
    public static func check(manifest: Manifest, tensorShapes: [String: [Int]], against base: BaseReference) -> [BaseMismatch] {
        guard let architecture = base.architecture else {
            return [BaseMismatch(kind: .invalidManifest, subject: "base.architecture", message: "base \"\(base.name)\" has no architecture summary to check against")]
        }
        let target = Target(
            name: base.name, architecture: architecture,
            linear: { architecture.derivedLinearShape(module: $0) },
            describeLayer: { m in architecture.derivedLinearShape(module: m).map { "\(m) (out \($0.out), in \($0.in) from the config)" } ?? m },
            structuralSignature: base.structuralSignature, contentFingerprint: base.contentFingerprint)
        return check(manifest: manifest, tensorShapes: tensorShapes, target: target)
    }

    /// The load-time guard: throws ``BaseCompatibilityError/incompatible(patch:base:declaredBase:mismatches:)``
    /// listing every mismatch when the patch does not fit `base`.
    public static func require(manifest: Manifest, tensorShapes: [String: [Int]], against base: BaseSignature) throws(BaseCompatibilityError) {
        let mismatches = check(manifest: manifest, tensorShapes: tensorShapes, against: base)
        guard mismatches.isEmpty else {
            throw .incompatible(patch: manifest.name ?? "(unnamed)", base: base.name, declaredBase: (try? manifest.baseReference())??.name, mismatches: mismatches)
        }
    }

    /// Whether two patches declare the same base (the composer's rule for a stack): equal structural
    /// signatures when both pin one, equal content fingerprints when both pin one, otherwise equal fit fields of
    /// their architecture summaries. Returns the differences (empty = same base).
    public static func compare(_ a: BaseReference, _ b: BaseReference) -> [BaseMismatch] {
        var out: [BaseMismatch] = []
        if let sa = a.structuralSignature, let sb = b.structuralSignature {
            if sa != sb {
                out.append(BaseMismatch(kind: .structuralSignature, subject: "base.structural_signature", patch: sa, base: sb,
                    message: "base.structural_signature differs: \"\(a.name)\" \(sa) vs \"\(b.name)\" \(sb)"))
            }
            if let ca = a.contentFingerprint, let cb = b.contentFingerprint, ca != cb {
                out.append(BaseMismatch(kind: .contentFingerprint, subject: "base.content_fingerprint", patch: ca, base: cb,
                    message: "base.content_fingerprint differs: \(ca) vs \(cb) (same architecture, different weights)"))
            }
            return out
        }
        guard let xa = a.architecture, let xb = b.architecture else {
            out.append(BaseMismatch(kind: .invalidManifest, subject: "base", message: "cannot compare bases \"\(a.name)\" and \"\(b.name)\": one has neither a signature nor an architecture"))
            return out
        }
        for (fa, fb) in zip(xa.fitFields, xb.fitFields) where fa.value != fb.value {
            out.append(BaseMismatch(kind: .architecture, subject: "base.architecture.\(fa.name)", patch: fa.value.map(String.init) ?? "absent", base: fb.value.map(String.init) ?? "absent",
                message: "base.architecture.\(fa.name) differs: \(fa.value.map(String.init) ?? "absent") (\"\(a.name)\") vs \(fb.value.map(String.init) ?? "absent") (\"\(b.name)\")"))
        }
        return out
    }

    // MARK: The checks

    static func check(manifest: Manifest, tensorShapes: [String: [Int]], target: Target, isMember: Bool = false) -> [BaseMismatch] {
        var out: [BaseMismatch] = []
        let arch = target.architecture

        // Pins and the recorded architecture.
        var declared: BaseReference?
        do { declared = try manifest.baseReference() } catch {
            out.append(BaseMismatch(kind: .invalidManifest, subject: "base", message: "manifest section \"base\" is malformed: \(error)"))
        }
        if let declared {
            for p in declared.problems { out.append(BaseMismatch(kind: .invalidManifest, subject: "base", message: p)) }
            if let pinned = declared.structuralSignature, let actual = target.structuralSignature, pinned != actual {
                out.append(BaseMismatch(kind: .structuralSignature, subject: "base.structural_signature", patch: pinned, base: actual,
                    message: "structural signature: the patch pins \(pinned) (\"\(declared.name)\"), the base \"\(target.name)\" is \(actual)"))
            }
            if let pinned = declared.contentFingerprint {
                if let actual = target.contentFingerprint {
                    if pinned != actual {
                        out.append(BaseMismatch(kind: .contentFingerprint, subject: "base.content_fingerprint", patch: pinned, base: actual,
                            message: "content fingerprint: the patch pins \(pinned), the base's weights hash to \(actual) (same architecture, different weights?)"))
                    }
                } else {
                    out.append(BaseMismatch(kind: .contentFingerprint, subject: "base.content_fingerprint", patch: pinned, base: "not computed",
                        message: "content fingerprint: the patch pins \(pinned) but the base signature has none; check against a signature made with the content fingerprint, or against the model directory itself"))
                }
            }
            if let recorded = declared.architecture {
                for (r, a) in zip(recorded.fitFields, arch.fitFields) where r.value != a.value {
                    let rv = r.value.map(String.init) ?? "absent", av = a.value.map(String.init) ?? "absent"
                    out.append(BaseMismatch(kind: .architecture, subject: "base.architecture.\(r.name)", patch: rv, base: av,
                        message: "architecture: the patch was made for \(r.name) = \(rv), the base has \(av)"))
                }
            }
        }

        // LoRA.
        var lora: LoRAConfig?
        do { lora = try manifest.decode(LoRAConfig.self, forKey: ManifestKey.lora) } catch {
            out.append(BaseMismatch(kind: .invalidManifest, subject: "lora", message: "manifest section \"lora\" is malformed: \(error)"))
        }
        if let lora { out += checkLoRA(lora, tensorShapes: tensorShapes, target: target) }

        // Fusion.
        var fusion: FusionArchitecture?
        do { fusion = try manifest.decode(FusionArchitecture.self, forKey: ManifestKey.fusion) } catch {
            out.append(BaseMismatch(kind: .invalidManifest, subject: "fusion", message: "manifest section \"fusion\" is malformed: \(error)"))
        }
        if let fusion { out += checkFusion(fusion, tensorShapes: tensorShapes, architecture: arch) }

        // A composed stack (spec/composition.md): each member's own sections against its prefixed tensors, and
        // the merged adapter of `lora_merge`, if any.
        if !isMember { out += checkComposed(manifest: manifest, tensorShapes: tensorShapes, target: target) }
        return out
    }

    /// The members of a composed file (`members[i].manifest`, tensors `members[i].tensor_prefix + name`) and
    /// its `lora_merge.adapter`; every mismatch is prefixed with the member's name.
    static func checkComposed(manifest: Manifest, tensorShapes: [String: [Int]], target: Target) -> [BaseMismatch] {
        var out: [BaseMismatch] = []
        if let adapter = manifest["lora_merge"]?["adapter"], adapter != .null {
            if let lora = try? adapter.decode(LoRAConfig.self) {
                out += checkLoRA(lora, tensorShapes: tensorShapes, target: target).map { prefixed($0, "lora_merge.adapter") }
            } else {
                out.append(BaseMismatch(kind: .invalidManifest, subject: "lora_merge.adapter", message: "manifest section \"lora_merge.adapter\" is malformed"))
            }
        }
        guard let members = manifest["members"]?.arrayValue else { return out }
        for (i, member) in members.enumerated() {
            guard var fields = member["manifest"]?.objectValue, let prefix = member["tensor_prefix"]?.stringValue else {
                out.append(BaseMismatch(kind: .invalidManifest, subject: "members[\(i)]", message: "members[\(i)] has no \"manifest\" object or \"tensor_prefix\""))
                continue
            }
            let name = member["name"]?.stringValue ?? "#\(i)"
            // A member whose LoRA was merged has no LoRA tensors of its own any more.
            if member["lora"]?.stringValue == "merged" { fields[ManifestKey.lora] = nil }
            var shapes: [String: [Int]] = [:]
            for (tensor, shape) in tensorShapes where tensor.hasPrefix(prefix) { shapes[String(tensor.dropFirst(prefix.count))] = shape }
            out += check(manifest: Manifest(fields: fields), tensorShapes: shapes, target: target, isMember: true)
                .map { prefixed($0, "member \(name)") }
        }
        return out
    }

    static func prefixed(_ m: BaseMismatch, _ context: String) -> BaseMismatch {
        var m = m
        m.subject = context + ": " + m.subject
        m.message = context + ": " + m.message
        return m
    }

    static func checkLoRA(_ lora: LoRAConfig, tensorShapes: [String: [Int]], target: Target) -> [BaseMismatch] {
        var out: [BaseMismatch] = []
        if lora.r < 1 {
            out.append(BaseMismatch(kind: .rank, subject: "lora.r", patch: String(lora.r), base: ">= 1", message: "lora.r is \(lora.r); a rank must be at least 1"))
        }
        if !lora.alpha.isFinite || lora.alpha <= 0 {
            out.append(BaseMismatch(kind: .alpha, subject: "lora.alpha", patch: String(lora.alpha), base: "> 0, finite", message: "lora.alpha is \(lora.alpha); it must be a positive finite number"))
        }
        for module in lora.targetModules.sorted() {
            let aName = lora.tensorPrefix + module + ".lora_A.weight", bName = lora.tensorPrefix + module + ".lora_B.weight"
            guard let layer = target.linear(module) else {
                let shown = [tensorShapes[aName].map { "lora_A \(Shape.describe($0))" }, tensorShapes[bName].map { "lora_B \(Shape.describe($0))" }].compactMap { $0 }
                out.append(BaseMismatch(kind: .missingModule, subject: module, patch: shown.isEmpty ? nil : shown.joined(separator: ", "), base: "no such linear layer",
                    message: "\(module): LoRA target is not a linear layer of base \"\(target.name)\"" + (shown.isEmpty ? "" : " (patch has \(shown.joined(separator: ", ")))")
                        + (target.architecture.numHiddenLayers > 0 ? "; the base has \(target.architecture.numHiddenLayers) decoder layers" : "")))
                continue
            }
            let wanted = "\(target.describeLayer(module))"
            guard let a = tensorShapes[aName] else {
                out.append(BaseMismatch(kind: .missingPatchTensor, subject: aName, base: Shape.describe([lora.r, layer.in]), message: "\(module): the patch has no tensor \(aName)"))
                continue
            }
            guard let b = tensorShapes[bName] else {
                out.append(BaseMismatch(kind: .missingPatchTensor, subject: bName, base: Shape.describe([layer.out, lora.r]), message: "\(module): the patch has no tensor \(bName)"))
                continue
            }
            let rank = a.count == 2 ? a[0] : lora.r
            if a.count != 2 || a[1] != layer.in {
                out.append(BaseMismatch(kind: .loraShape, subject: module + ".lora_A", patch: Shape.describe(a), base: Shape.describe([rank, layer.in]),
                    message: "\(module): lora_A is \(Shape.describe(a)) but the base layer takes \(layer.in) in-features, so it must be \(Shape.describe([rank, layer.in])) (base \(wanted))"))
            }
            if b.count != 2 || b[0] != layer.out {
                out.append(BaseMismatch(kind: .loraShape, subject: module + ".lora_B", patch: Shape.describe(b), base: Shape.describe([layer.out, b.count == 2 ? b[1] : rank]),
                    message: "\(module): lora_B is \(Shape.describe(b)) but the base layer gives \(layer.out) out-features, so it must be \(Shape.describe([layer.out, b.count == 2 ? b[1] : rank])) (base \(wanted))"))
            }
            if a.count == 2, b.count == 2 {
                if a[0] != b[1] {
                    out.append(BaseMismatch(kind: .rank, subject: module, patch: "lora_A \(Shape.describe(a)), lora_B \(Shape.describe(b))", base: "equal ranks",
                        message: "\(module): lora_A has rank \(a[0]) but lora_B has rank \(b[1])"))
                } else if a[0] != lora.r, lora.r >= 1 {
                    out.append(BaseMismatch(kind: .rank, subject: module, patch: String(a[0]), base: String(lora.r),
                        message: "\(module): tensors have rank \(a[0]) but lora.r is \(lora.r)"))
                }
                if a[0] > min(layer.in, layer.out) {
                    out.append(BaseMismatch(kind: .rank, subject: module, patch: String(a[0]), base: "<= \(min(layer.in, layer.out))",
                        message: "\(module): rank \(a[0]) exceeds the layer's smaller dimension \(min(layer.in, layer.out)) (base \(wanted))"))
                }
            }
        }
        return out
    }

    static func checkFusion(_ fusion: FusionArchitecture, tensorShapes: [String: [Int]], architecture arch: BaseArchitecture) -> [BaseMismatch] {
        var out: [BaseMismatch] = []
        let hidden = arch.hiddenSize
        if fusion.outputDim != hidden {
            out.append(BaseMismatch(kind: .fusionOutputWidth, subject: "fusion.output_dim", patch: String(fusion.outputDim), base: String(hidden),
                message: "fusion.output_dim is \(fusion.outputDim) but the LLM hidden_size is \(hidden): the fusion output is added to the projected visual tokens"))
        }
        if let vision = arch.mmHiddenSize {
            if fusion.queryDim != vision {
                out.append(BaseMismatch(kind: .fusionQueryWidth, subject: "fusion.query_dim", patch: String(fusion.queryDim), base: String(vision),
                    message: "fusion.query_dim is \(fusion.queryDim) but the base's vision width mm_hidden_size is \(vision)"))
            }
        } else {
            out.append(BaseMismatch(kind: .fusionQueryWidth, subject: "fusion.query_dim", patch: String(fusion.queryDim), base: "no mm_hidden_size",
                message: "fusion.query_dim is \(fusion.queryDim) but the base config has no mm_hidden_size (not a LLaVA-style multimodal model?)"))
        }
        // The tensors that carry those widths, when the patch has them.
        let p = fusion.tensorPrefix
        func expect(_ param: String, dim: Int, equals value: Int?, kind: BaseMismatch.Kind, what: String) {
            guard let value, let shape = tensorShapes[p + param] else { return }
            guard shape.count > dim, shape[dim] == value else {
                var wanted = shape
                if wanted.count > dim { wanted[dim] = value }
                out.append(BaseMismatch(kind: kind, subject: p + param, patch: Shape.describe(shape), base: Shape.describe(wanted),
                    message: "fusion tensor \(p + param) is \(Shape.describe(shape)) but must be \(Shape.describe(wanted)) (\(what))"))
                return
            }
        }
        if fusion.outputMLP && (2...64).contains(fusion.mlpDepth) {
            expect("output_mapping.\(2 * (fusion.mlpDepth - 1)).weight", dim: 0, equals: hidden, kind: .fusionOutputWidth, what: "LLM hidden_size \(hidden)")
            expect("output_mapping.\(2 * (fusion.mlpDepth - 1)).bias", dim: 0, equals: hidden, kind: .fusionOutputWidth, what: "LLM hidden_size \(hidden)")
        }
        if fusion.outputNorm {
            expect("output_norm.weight", dim: 0, equals: hidden, kind: .fusionOutputWidth, what: "LLM hidden_size \(hidden)")
            expect("output_norm.bias", dim: 0, equals: hidden, kind: .fusionOutputWidth, what: "LLM hidden_size \(hidden)")
        }
        expect("query_input_mapping.weight", dim: 1, equals: arch.mmHiddenSize, kind: .fusionQueryWidth, what: "vision width mm_hidden_size \(arch.mmHiddenSize ?? 0)")
        return out
    }
}
