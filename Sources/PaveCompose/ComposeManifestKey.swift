/// Manifest keys the composer owns.
public enum ComposeManifestKey {
    public static let members = "members"
    public static let loraMerge = "lora_merge"
}
