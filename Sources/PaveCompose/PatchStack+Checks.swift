import PaveFormat
import PaveModel

extension PatchStack {
    /// Member names: valid (spec §2) and unique; side-channel names of fusion members unique.
    static func checkNames(_ members: [StackMember]) throws(ComposeError) {
        var seen = Set<String>()
        for m in members {
            try validateMemberName(m.name)
            try validateMemberName(m.sideName)
            guard seen.insert(m.name).inserted else { throw .duplicateMember(name: m.name) }
        }
        var sides: [String: String] = [:]
        for m in members where m.fusion != nil {
            if let other = sides[m.sideName] { throw .duplicateSideChannel(name: m.sideName, member: other, other: m.name) }
            sides[m.sideName] = m.name
        }
    }

    /// A member or side-channel name: 1…128 UTF-8 bytes, no `/`, white space or control characters.
    public static func validateMemberName(_ name: String) throws(ComposeError) {
        guard !name.isEmpty else { throw .invalidMemberName(name: name, reason: "empty") }
        guard name.utf8.count <= 128 else { throw .invalidMemberName(name: name, reason: "longer than 128 bytes") }
        for u in name.unicodeScalars {
            if u == "/" { throw .invalidMemberName(name: name, reason: "contains '/'") }
            if u.properties.isWhitespace || u.value < 0x20 || u.value == 0x7F {
                throw .invalidMemberName(name: name, reason: "contains white space or a control character (U+\(String(u.value, radix: 16, uppercase: true)))")
            }
        }
    }

    /// All members declare the same base (``BaseCompatibility/compare(_:_:)``: structural signatures, else
    /// fingerprints, else architecture summaries), or none declares one.
    static func checkBase(_ members: [StackMember]) throws(ComposeError) {
        var bases: [(member: StackMember, base: BaseReference?)] = []
        for m in members {
            do { bases.append((m, try m.manifest.baseReference())) } catch {
                throw .invalidMembers(file: m.source, detail: "member '\(m.name)': manifest section 'base' is malformed: \(error)")
            }
        }
        // Compare against the most specific declaration: one with a structural signature if any.
        guard let ref = bases.first(where: { $0.base?.structuralSignature != nil }) ?? bases.first(where: { $0.base != nil }),
              let refBase = ref.base else { return }
        for (m, base) in bases where m.name != ref.member.name {
            guard let base else {
                throw .baseMismatch(member: m.name, other: ref.member.name,
                                    detail: "'\(m.name)' declares no base, '\(ref.member.name)' declares \"\(refBase.name)\" \(refBase.structuralSignature ?? "")")
            }
            let mismatches = BaseCompatibility.compare(base, refBase)
            if !mismatches.isEmpty {
                throw .baseMismatch(member: m.name, other: ref.member.name, detail: mismatches.map(\.message).joined(separator: "; "))
            }
        }
    }

    /// Fusion members read the same queries and write the same width.
    static func checkFusion(_ members: [StackMember]) throws(ComposeError) {
        let fusion = members.compactMap { m in m.fusion.map { (m.name, $0) } }
        guard let (refName, ref) = fusion.first else { return }
        for (name, f) in fusion.dropFirst() {
            if f.queryDim != ref.queryDim || f.querySource != ref.querySource {
                throw .queryMismatch(member: name, query: "query_dim \(f.queryDim), \(f.querySource)",
                                     other: refName, otherQuery: "query_dim \(ref.queryDim), \(ref.querySource)")
            }
            if f.effectiveOutputDim != ref.effectiveOutputDim {
                throw .outputMismatch(member: name, width: f.effectiveOutputDim, other: refName, otherWidth: ref.effectiveOutputDim)
            }
        }
    }

    /// A module targeted by several members has the same in/out features in each; returns module → shape.
    static func checkLoRA(_ members: [StackMember]) throws(ComposeError) -> [String: (inFeatures: Int, outFeatures: Int)] {
        var shapes: [String: (inFeatures: Int, outFeatures: Int, owner: String)] = [:]
        for m in members {
            guard let config = m.lora else { continue }
            for module in config.targetModules {
                let s = try loraShape(module: module, config: config, tensors: m.tensors, owner: m.name)
                if let prev = shapes[module] {
                    if prev.inFeatures != s.inFeatures || prev.outFeatures != s.outFeatures {
                        throw .loraShapeMismatch(module: module, member: m.name, inFeatures: s.inFeatures, outFeatures: s.outFeatures,
                                                 other: prev.owner, otherIn: prev.inFeatures, otherOut: prev.outFeatures)
                    }
                } else {
                    shapes[module] = (s.inFeatures, s.outFeatures, m.name)
                }
            }
        }
        return shapes.mapValues { ($0.inFeatures, $0.outFeatures) }
    }

    /// Rank, in and out features of one module's factors, read from the store's index.
    static func loraShape(module: String, config: LoRAConfig, tensors: any TensorProvider, owner: String)
        throws(ComposeError) -> (rank: Int, inFeatures: Int, outFeatures: Int)
    {
        let (aName, bName) = config.tensorNames(module: module)
        guard let a = tensors.tensorInfo(aName) else { throw .badTensor(member: owner, tensor: aName, detail: "missing (LoRA target \(module))") }
        guard let b = tensors.tensorInfo(bName) else { throw .badTensor(member: owner, tensor: bName, detail: "missing (LoRA target \(module))") }
        guard a.shape.count == 2, b.shape.count == 2, a.shape[0] == b.shape[1] else {
            throw .badTensor(member: owner, tensor: aName,
                             detail: "lora_A \(Shape.describe(a.shape)) and lora_B \(Shape.describe(b.shape)) are not (r, in) and (out, r)")
        }
        return (a.shape[0], a.shape[1], b.shape[0])
    }
}
