import Foundation
import PaveFormat
import PaveModel
import PaveTorch

/// Options of ``PaveCheckpointImporter/load(_:options:)``.
public struct CheckpointImportOptions: Sendable {
    /// A released model-arguments class name (``FusionPreset``) giving heads, RoPE and the side channel.
    public var preset: String?
    /// Attention heads, when no preset / `temporal_aggregator_config` gives them.
    public var heads: Int?
    /// RoPE mode, when no preset / `temporal_aggregator_config` gives it.
    public var rope: RoPEMode?
    /// Manifest name (default: the checkpoint folder's name).
    public var name: String?
    /// Manifest version (default `0.1.0`, as `pack`).
    public var version: String?
    /// Manifest `created` (RFC 3339). Default: `SOURCE_DATE_EPOCH`, else the newest mtime of the inputs.
    public var created: String?
    /// Which `checkpoint-N` folder to import when the top level holds none.
    public var checkpoint: String?
    /// `tool` field, e.g. `"pavepkg 0.1.0"`.
    public var tool: String
    /// Where zip inputs are extracted (default: the system temporary directory).
    public var temporaryDirectory: URL?
    /// Progress: (phase, bytes done, bytes total), called from the importing thread.
    public var progress: (@Sendable (String, Int64, Int64) -> Void)?
    /// For a zip whose adapter is DEFLATE-compressed and at most
    /// ``PaveCheckpointImporter/maxStreamedAdapterBytes``: inflate the adapter into memory in the background and
    /// return at once, its tensors readable as their bytes arrive. The adapter's and the zip's SHA-256 in the
    /// manifest are then placeholders that ``ImportedCheckpoint/deferred`` fills in (``PaveWriter`` does, given
    /// it), and a damaged adapter is reported by the reads and by that resolution. `PatchPacker` sets it, so
    /// packing overlaps inflating. Default off: the manifest is final when the import returns.
    public var streamAdapter: Bool = false

    public init(preset: String? = nil, heads: Int? = nil, rope: RoPEMode? = nil, name: String? = nil, version: String? = nil,
                created: String? = nil, checkpoint: String? = nil, tool: String, temporaryDirectory: URL? = nil,
                progress: (@Sendable (String, Int64, Int64) -> Void)? = nil) {
        self.preset = preset; self.heads = heads; self.rope = rope; self.name = name; self.version = version
        self.created = created; self.checkpoint = checkpoint; self.tool = tool; self.temporaryDirectory = temporaryDirectory
        self.progress = progress
    }
}

/// The result of an import: the manifest and the tensors of the future `.pave`, read lazily from the
/// source files. Holds the extraction directory of a zip input until it is released; a streamed adapter
/// (``CheckpointImportOptions/streamAdapter``) stops inflating when it is released.
public final class ImportedCheckpoint: Sendable {
    /// The manifest of the future `.pave` (with ``deferred`` placeholders when the adapter is streamed).
    public let manifest: Manifest
    /// Fusion tensors (original names, PAVE state_dict order) then LoRA tensors (adapter file order).
    public let tensors: [ImportedTensor]
    /// What the importer decided and why (folder chosen, settings inferred), for the user.
    public let notes: [String]
    /// Manifest values still being computed (a streamed adapter's SHA-256 and the zip's); nil when none.
    public let deferred: DeferredManifestValues?
    private let scratch: URL?
    private let streamed: [InflatingEntrySource]

    init(manifest: Manifest, tensors: [ImportedTensor], notes: [String], scratch: URL?, deferred: DeferredManifestValues? = nil,
         streamed: [InflatingEntrySource] = []) {
        self.manifest = manifest; self.tensors = tensors; self.notes = notes; self.scratch = scratch
        self.deferred = deferred; self.streamed = streamed
    }

    /// The error of a streamed adapter's extraction, once it has failed (the root cause of a failed read).
    public var extractionError: (any Error)? { InflatingEntrySource.rootError(of: streamed) }

    deinit {
        for s in streamed { s.cancel() }
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }
}
