import PaveFormat
import PaveModel

extension PatchStack {
    /// The stack one file holds: a plain patch is a one-member stack with weight 1; a composed file gives its
    /// members (and its own merged adapter) exactly as recorded, so running it is bit-identical to stacking the
    /// members at load time.
    public static func load(_ input: StackInput) throws(ComposeError) -> PatchStack {
        guard input.isComposed else {
            return try PatchStack(members: [StackMember(digest: input.digest, manifest: input.manifest, file: input.tensors, source: input.path)])
        }
        let merge = try input.loraMergeRecord()
        let members = try flatten(input, weight: 1, allowMerged: true, addVia: false)
        var own: OwnLoRA?
        if let merge {
            guard let config = merge.adapter else {
                throw .invalidMembers(file: input.path, detail: "'lora_merge' has no 'adapter'")
            }
            do { try config.check() } catch {
                throw .invalidMembers(file: input.path, detail: "lora_merge.adapter: \(error)")
            }
            own = OwnLoRA(config: config, tensors: input.tensors)
        }
        return try PatchStack(members: members, ownLoRA: own, loraMerge: merge)
    }

    /// The members of `input` with their weights multiplied by `weight`: a plain patch gives itself, a composed
    /// file its members (flattening, spec §5).
    public static func flatten(_ input: StackInput, weight: Double, allowMerged: Bool = false, addVia: Bool = true)
        throws(ComposeError) -> [StackMember]
    {
        guard input.isComposed else {
            return [try StackMember(weight: weight, digest: input.digest, manifest: input.manifest, file: input.tensors, source: input.path)]
        }
        if !allowMerged, try input.loraMergeRecord() != nil {
            throw .invalidMembers(file: input.path,
                                  detail: "its members' LoRA adapters were merged into one adapter; it can be run but not stacked or composed again")
        }
        let here = MemberRecord.Via(name: input.name, digest: input.digest)
        return try input.memberRecords().map { (r) throws(ComposeError) -> StackMember in
            guard let fields = r.manifest.objectValue else { throw .invalidMembers(file: input.path, detail: "member '\(r.name)'") }
            let w = r.weight * weight
            guard w.isFinite else { throw .nonFiniteWeight(member: r.name, weight: w) }
            return try StackMember(name: r.name, sideName: r.sideName, weight: w, digest: r.digest,
                                   manifest: Manifest(fields: fields), tensorPrefix: r.tensorPrefix, file: input.tensors, source: input.path,
                                   via: addVia ? [here] + (r.via ?? []) : (r.via ?? []), loraMerged: r.lora == "merged")
        }
    }

    /// Load-time stacking of several files (spec §3): flattens composed inputs, applies `--weight` (multiplying)
    /// and `--rename`, then checks the stack.
    /// - Parameters:
    ///   - weights: `(KEY, W)`; KEY is `#k` (k-th input, 1-based), an input name, or a flattened member name.
    ///   - renames: `(KEY, NEW)`; KEY is `#k` (k-th member after flattening) or a unique member name.
    public static func build(_ inputs: [StackInput], weights: [(key: String, weight: Double)] = [],
                             renames: [(key: String, newName: String)] = []) throws(ComposeError) -> PatchStack
    {
        guard !inputs.isEmpty else { throw .empty }
        if inputs.count == 1, weights.isEmpty, renames.isEmpty { return try load(inputs[0]) }
        var inputWeight = [Double](repeating: 1, count: inputs.count)
        var memberWeights: [(String, Double)] = []
        for (key, w) in weights {
            guard w.isFinite else { throw .nonFiniteWeight(member: key, weight: w) }
            if let k = positionalKey(key) {
                guard k >= 1, k <= inputs.count else { throw .unknownWeight(name: key, known: inputs.map(\.name)) }
                inputWeight[k - 1] *= w
            } else if inputs.contains(where: { $0.name == key }) {
                for i in inputs.indices where inputs[i].name == key { inputWeight[i] *= w }
            } else {
                memberWeights.append((key, w))
            }
        }
        var members: [StackMember] = []
        for (i, input) in inputs.enumerated() { members += try flatten(input, weight: inputWeight[i]) }
        for (key, w) in memberWeights {
            let hits = members.indices.filter { members[$0].name == key }
            guard !hits.isEmpty else { throw .unknownWeight(name: key, known: inputs.map(\.name) + members.map(\.name)) }
            for i in hits {
                members[i].weight *= w
                guard members[i].weight.isFinite else { throw .nonFiniteWeight(member: members[i].name, weight: members[i].weight) }
            }
        }
        for (key, newName) in renames {
            let index: Int
            if let k = positionalKey(key) {
                guard k >= 1, k <= members.count else { throw .unknownMember(key: key, reason: "the stack has \(members.count) members") }
                index = k - 1
            } else {
                let hits = members.indices.filter { members[$0].name == key }
                guard hits.count == 1, let h = hits.first else {
                    throw .unknownMember(key: key, reason: hits.isEmpty
                        ? "no member has this name (members: \(members.map(\.name).joined(separator: ", ")))"
                        : "\(hits.count) members have this name; use #k (1-based position)")
                }
                index = h
            }
            members[index].name = newName
            members[index].sideName = newName
        }
        return try PatchStack(members: members)
    }

    /// `#k` → k.
    static func positionalKey(_ key: String) -> Int? {
        guard key.hasPrefix("#") else { return nil }
        return Int(key.dropFirst())
    }
}
