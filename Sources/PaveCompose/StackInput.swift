import PaveFormat
import PaveModel

/// One file given to `run` / `compose`: a plain patch or a composed one.
public struct StackInput: Sendable {
    public var store: any PatchTensorStore
    public var manifest: Manifest
    /// Patch digest of the file.
    public var digest: String

    public init(store: any PatchTensorStore, manifest: Manifest, digest: String) {
        self.store = store; self.manifest = manifest; self.digest = digest
    }

    /// The input's name (its manifest `name`).
    public var name: String { manifest.name ?? "patch" }

    /// Whether the file is a composed patch (has a `members` section).
    public var isComposed: Bool { manifest[ComposeManifestKey.members] != nil }

    /// The `members` records of a composed file, checked against the spec (§4).
    public func memberRecords() throws(ComposeError) -> [MemberRecord] {
        let records: [MemberRecord]
        do {
            records = try manifest.decode([MemberRecord].self, forKey: ComposeManifestKey.members) ?? []
        } catch {
            throw .invalidMembers(file: store.storeName, detail: "'members' does not match spec/composition.schema.json: \(error)")
        }
        guard !records.isEmpty else { throw .invalidMembers(file: store.storeName, detail: "'members' is empty") }
        for r in records {
            guard r.tensorPrefix == MemberRecord.tensorPrefix(forMember: r.name) else {
                throw .invalidMembers(file: store.storeName, detail: "member '\(r.name)' has tensor_prefix '\(r.tensorPrefix)', expected '\(MemberRecord.tensorPrefix(forMember: r.name))'")
            }
            guard r.manifest.objectValue != nil else {
                throw .invalidMembers(file: store.storeName, detail: "member '\(r.name)': 'manifest' is not an object")
            }
            guard r.lora == nil || r.lora == "kept" || r.lora == "merged" else {
                throw .invalidMembers(file: store.storeName, detail: "member '\(r.name)': 'lora' is '\(r.lora ?? "")', expected 'kept' or 'merged'")
            }
        }
        return records
    }

    /// The `lora_merge` record of a composed file, if its LoRA adapters were merged.
    public func loraMergeRecord() throws(ComposeError) -> LoRAMergeRecord? {
        do { return try manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge) } catch {
            throw .invalidMembers(file: store.storeName, detail: "'lora_merge' is invalid: \(error)")
        }
    }
}
