import PaveFormat
import PaveModel

/// Builds composed `.pave` files from a ``PatchStack`` (spec/composition.md §4–§6).
public enum StackComposer {
    /// The manifest and tensor list of the composed file for `stack`. Member tensors are re-prefixed with
    /// `m.<member name>/`; with `--merge-lora` the members' LoRA factors are replaced by one merged adapter.
    /// Reference vectors of the stack itself are added by the caller (they need the executor). `options.name`
    /// must follow ``PatchNameRule``.
    public static func plan(_ stack: PatchStack, options: ComposeOptions) throws -> ComposedPlan {
        try PatchNameRule.validate(options.name)
        var merge: LoRAMergeResult?
        if let mode = options.mergeLoRA { merge = try LoRAMerger.merge(stack, mode: mode) }
        let merged = options.mergeLoRA != nil

        var tensors: [ComposedPlan.Tensor] = []
        for m in stack.members {
            let prefix = MemberRecord.tensorPrefix(forMember: m.name)
            let dropped = merged ? loraTensorNames(of: m) : []
            for name in m.storedTensorNames where !dropped.contains(name) {
                tensors.append(.init(name: prefix + name, source: .stored(tensors: m.tensors, name: name)))
            }
        }
        if let merge {
            for (name, t) in merge.tensors { tensors.append(.init(name: name, source: .memory(t))) }
        }
        tensors.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for i in tensors.indices.dropFirst() where tensors[i].name == tensors[i - 1].name {
            throw ComposeError.invalidMembers(file: options.name, detail: "two tensors would be named \(tensors[i].name)")
        }

        var manifest = Manifest(name: options.name, version: options.version)
        manifest.description = options.description ?? defaultDescription(stack)
        manifest.created = options.created ?? newestCreated(stack)
        manifest.tool = options.tool
        manifest.tags = ["composed"]
        let licenses = Set(stack.members.compactMap { $0.manifest.license })
        if licenses.count == 1, let l = licenses.first { manifest.license = l }
        var authors: [String] = []
        for m in stack.members { for a in m.manifest.authors where !authors.contains(a) { authors.append(a) } }
        if !authors.isEmpty { manifest.authors = authors }
        // The most specific base declaration (the checks made sure they agree).
        let bases = stack.members.compactMap { $0.manifest[ManifestKey.base] }
        if let base = bases.first(where: { $0["structural_signature"] != nil }) ?? bases.first { manifest[ManifestKey.base] = base }
        let records = stack.members.map { $0.record(loraMerged: merged || $0.loraMerged) }
        try manifest.encode(records, forKey: ComposeManifestKey.members)
        if let merge {
            var record = merge.record
            record.adapter = merge.config
            try manifest.encode(record, forKey: ComposeManifestKey.loraMerge)
        }
        // With --merge-lora but nothing to merge (no member with a non-zero weight has LoRA) the members are
        // marked "merged" and the file has no adapter: their contribution was zero.
        return ComposedPlan(manifest: manifest, tensors: tensors)
    }

    /// Names of the tensors a merge makes obsolete in a member: its LoRA factors and the LoRA inputs / expected
    /// deltas of its reference sets (they test factors the file no longer has).
    static func loraTensorNames(of m: StackMember) -> Set<String> {
        guard let config = m.declaredLoRA else { return [] }
        var names = Set<String>()
        for module in config.targetModules {
            let (a, b) = config.tensorNames(module: module)
            names.insert(a); names.insert(b)
        }
        for set in m.referenceVectors {
            let p = set.tensorPrefix
            for name in m.storedTensorNames where name.hasPrefix(p) {
                let rest = name.dropFirst(p.count)
                if rest == "lora_x" || rest.hasPrefix("lora_x.") || rest.hasPrefix("lora_delta.") { names.insert(name) }
            }
        }
        return names
    }

    static func defaultDescription(_ stack: PatchStack) -> String {
        "Stack of \(stack.members.count) PAVE patches: " + stack.members.map { "\($0.name) (w=\(formatWeight($0.weight)))" }.joined(separator: ", ")
    }

    /// The newest `created` of the members (RFC 3339 UTC strings compare in time order), if any.
    public static func newestCreated(_ stack: PatchStack) -> String? {
        stack.members.compactMap { $0.manifest.created }.max()
    }

    /// A weight for people: shortest round-trip form.
    public static func formatWeight(_ w: Double) -> String {
        w == w.rounded() && abs(w) < 1e15 ? String(Int64(w)) : "\(w)"
    }
}

extension StackComposer {
    /// For a composed file made with `--merge-lora`: its manifest with the merged adapter as the `lora` section
    /// (and no `members`), so the single-patch exporters write it as a PEFT adapter. `nil` for other files.
    public static func mergedAdapterManifest(_ manifest: Manifest) -> Manifest? {
        guard manifest[ComposeManifestKey.members] != nil,
              let record = try? manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge),
              let adapter = record.adapter else { return nil }
        var m = manifest
        m[ComposeManifestKey.members] = nil
        m[ComposeManifestKey.loraMerge] = nil
        m[ComposeManifestKey.stackReferenceVectors] = nil
        try? m.encode(adapter, forKey: ManifestKey.lora)
        return m
    }
}
