import PaveCheckpoint
import PaveTorch
import Foundation
import PaveExecutor
import PaveFormat
import PaveModel

/// What ``PatchPacker/pack(_:to:)`` packs: the inputs, the manifest fields, the reference vectors, the base
/// model and how to compress. Every field is a typed value; nothing here is command-line text.
///
/// ```swift
/// var request = PackRequest(input: .safetensors([URL(fileURLWithPath: "weights.safetensors")]), tool: "mytool 1.0")
/// request.manifestFile = URL(fileURLWithPath: "manifest.json")
/// request.base = .location(URL(fileURLWithPath: "base.sig.json"))
/// let result = try PatchPacker.pack(request, to: URL(fileURLWithPath: "patch.pave"))
/// ```
public struct PackRequest: Sendable {
    /// Where the tensors (and, for a checkpoint, most of the manifest) come from.
    public var input: PackInput
    /// A JSON object whose fields are merged into the manifest (over what a checkpoint import gives).
    public var manifestFile: URL?
    /// Patch name; default: the manifest file's, else the checkpoint folder's, else the output file's stem.
    public var name: String?
    /// Patch version (semver); default: the manifest file's, else `0.1.0`.
    public var version: String?
    /// Creation time; default: the manifest file's, else `SOURCE_DATE_EPOCH` from ``environment``, else the
    /// newest modification time of the inputs. Never "now", so the same inputs give the same bytes.
    public var created: Date?
    /// The manifest's `tool` field, e.g. `"pavepkg 0.1.0"`.
    public var tool: String
    /// A reference vector set to store (checked now by the executor). Without one, a PAVE patch that declares
    /// no set gets a seeded self-check set when ``selfCheck`` is on.
    public var referenceVectors: ReferenceVectorFiles?
    /// Record a self-check reference set when no set is given or declared (default on).
    public var selfCheck: Bool
    /// The base model to record in the manifest's `base` section; the tensors must fit it.
    public var base: BaseModelSource?
    /// With ``base`` a model directory: also pin its content fingerprint (reads the covered tensors). A
    /// signature file pins its fingerprint when it has one.
    public var pinBaseContent: Bool
    /// Compression level, chunk size and threads (``PackOptions/progress`` is replaced by ``progress``).
    public var options: PackOptions
    /// Environment read for `SOURCE_DATE_EPOCH` (default: the process's).
    public var environment: [String: String]
    /// Progress: (phase, done, total), `total` 0 when unknown; phases of a checkpoint import, then
    /// `"packing"` in raw bytes. Called from the packing thread.
    public var progress: (@Sendable (_ phase: String, _ done: Int64, _ total: Int64) -> Void)?

    /// A request; only the input and the tool are required (see each property for its default).
    public init(input: PackInput, manifestFile: URL? = nil, name: String? = nil, version: String? = nil, created: Date? = nil,
                tool: String, referenceVectors: ReferenceVectorFiles? = nil, selfCheck: Bool = true, base: BaseModelSource? = nil,
                pinBaseContent: Bool = false, options: PackOptions = PackOptions(),
                environment: [String: String] = ProcessInfo.processInfo.environment,
                progress: (@Sendable (String, Int64, Int64) -> Void)? = nil) {
        self.input = input; self.manifestFile = manifestFile; self.name = name; self.version = version; self.created = created
        self.tool = tool; self.referenceVectors = referenceVectors; self.selfCheck = selfCheck; self.base = base
        self.pinBaseContent = pinBaseContent; self.options = options; self.environment = environment; self.progress = progress
    }
}

/// The inputs of a pack.
public enum PackInput: Sendable {
    /// Safetensors files; tensor names are kept and must be unique across the files.
    case safetensors([URL])
    /// A PAVE training output directory or the `.zip` of one, read by ``PaveCheckpointImporter`` (restricted
    /// pickle reader, nothing executed). The request's name, version, created, tool and progress replace the
    /// options' own.
    case checkpoint(URL, CheckpointImportOptions)

    /// Whether `url` is what ``checkpoint(_:_:)`` reads: an existing directory, or an existing `.zip` file.
    public static func isCheckpoint(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { return false }
        return isDir.boolValue || url.pathExtension.lowercased() == "zip"
    }
}

/// A user reference vector set: inputs (`visual`, `side`, `lora_x`, `lora_x.MODULE`) and the expected outputs
/// (`fused`, `lora_delta.MODULE`), both safetensors files, and the tolerance the set is stored with.
public struct ReferenceVectorFiles: Sendable, Equatable {
    /// Safetensors with `visual`, `side`, `lora_x` / `lora_x.MODULE`.
    public var inputs: URL
    /// Safetensors with `fused` / `lora_delta.MODULE`.
    public var expected: URL
    /// How far the executor's outputs may be from `expected`; stored with the set.
    public var tolerance: Tolerance

    /// The two files and the tolerance (default ``Tolerance/default``).
    public init(inputs: URL, expected: URL, tolerance: Tolerance = .default) {
        self.inputs = inputs
        self.expected = expected
        self.tolerance = tolerance
    }
}

/// What ``PatchPacker/pack(_:to:)`` wrote.
public struct PackResult: Sendable {
    /// The written file: path, digest, tensor count, raw / stored / file bytes.
    public var summary: PackSummary
    /// What the checkpoint importer decided and why (folder chosen, settings inferred), for the user.
    public var notes: [String]
}
