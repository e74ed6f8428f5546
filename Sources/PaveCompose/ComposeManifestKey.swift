/// Manifest keys the composer owns.
public enum ComposeManifestKey {
    public static let members = "members"
    public static let loraMerge = "lora_merge"
    /// The stack's own reference vector sets.
    public static let stackReferenceVectors = "stack_reference_vectors"
}
