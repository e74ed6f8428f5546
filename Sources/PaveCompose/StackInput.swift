import PaveFormat
import PaveModel

/// One file given to `run` / `compose`: a plain patch or a composed one.
public struct StackInput: Sendable {
    /// The file's tensors.
    public var tensors: any TensorProvider
    public var manifest: Manifest
    /// Patch digest of the file.
    public var digest: String
    /// Path of the file, for messages.
    public var path: String

    public init(tensors: any TensorProvider, manifest: Manifest, digest: String, path: String) {
        self.tensors = tensors; self.manifest = manifest; self.digest = digest; self.path = path
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
            throw .invalidMembers(file: path, detail: "'members' does not match spec/composition.schema.json: \(error)")
        }
        guard !records.isEmpty else { throw .invalidMembers(file: path, detail: "'members' is empty") }
        for r in records {
            guard r.tensorPrefix == MemberRecord.tensorPrefix(forMember: r.name) else {
                throw .invalidMembers(file: path, detail: "member '\(r.name)' has tensor_prefix '\(r.tensorPrefix)', expected '\(MemberRecord.tensorPrefix(forMember: r.name))'")
            }
            guard r.manifest.objectValue != nil else {
                throw .invalidMembers(file: path, detail: "member '\(r.name)': 'manifest' is not an object")
            }
            guard r.lora == nil || r.lora == "kept" || r.lora == "merged" else {
                throw .invalidMembers(file: path, detail: "member '\(r.name)': 'lora' is '\(r.lora ?? "")', expected 'kept' or 'merged'")
            }
        }
        return records
    }

    /// The `lora_merge` record of a composed file, if its LoRA adapters were merged.
    public func loraMergeRecord() throws(ComposeError) -> LoRAMergeRecord? {
        do { return try manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge) } catch {
            throw .invalidMembers(file: path, detail: "'lora_merge' is invalid: \(error)")
        }
    }
}
