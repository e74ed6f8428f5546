import PaveFormat
import PaveModel

/// What `compose` writes: the composed manifest and every tensor with where its bytes come from.
public struct ComposedPlan: Sendable {
    /// One tensor of the composed file.
    public struct Tensor: Sendable {
        /// Where the bytes come from.
        public enum Source: Sendable {
            /// Tensor `name` of a provider (a member's tensors: bytes copied unchanged, same dtype and shape).
            case stored(tensors: any TensorProvider, name: String)
            /// Made by the composer (merged LoRA factors, reference vectors).
            case memory(TensorData)
        }
        public var name: String
        public var source: Source
    }

    public var manifest: Manifest
    /// Sorted by name, names unique.
    public var tensors: [Tensor]
}

/// Settings of `compose`.
public struct ComposeOptions: Sendable {
    public var name: String
    public var version: String
    public var description: String?
    /// RFC 3339 UTC; `nil` → the newest `created` of the members (never "now").
    public var created: String?
    /// `tool` field, e.g. "pavepkg 0.1.0".
    public var tool: String
    public var mergeLoRA: LoRAMergeMode?

    public init(name: String = "stack", version: String = "0.1.0", description: String? = nil, created: String? = nil,
                tool: String = "pavepkg", mergeLoRA: LoRAMergeMode? = nil) {
        self.name = name; self.version = version; self.description = description; self.created = created
        self.tool = tool; self.mergeLoRA = mergeLoRA
    }
}
