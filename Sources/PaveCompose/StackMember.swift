import PaveFormat
import PaveModel

/// One patch in a ``PatchStack``: its manifest, where its tensors are, its weight and side-channel name.
///
/// A member of a plain `.pave` has `tensorPrefix == ""`; a member read out of a composed file has
/// `tensorPrefix == "m.<name>/"` (spec/composition.md §4). ``tensors`` always shows the member's tensors under
/// their own names, so the member's manifest (``spec``) applies unchanged.
public struct StackMember: Sendable {
    /// Member name, unique in the stack.
    public var name: String
    /// Side-channel name: the run reads input `side.<sideName>`.
    public var sideName: String
    /// wᵢ.
    public var weight: Double
    /// Patch digest of the member's own `.pave` (`sha256:…`).
    public var digest: String
    /// The member's own manifest (original tensor prefixes).
    public var manifest: Manifest
    /// Prefix of the member's tensors in the file it was read from.
    public var tensorPrefix: String
    /// The member's tensors under their own names.
    public var tensors: any TensorProvider
    /// The file the member was read from, for messages.
    public var source: String
    /// Composed files this member was flattened out of, outermost first.
    public var via: [MemberRecord.Via]
    /// The member's LoRA factors were folded into the composed file's own adapter (not stored).
    public var loraMerged: Bool

    /// The member's patch semantics, as its manifest declares them.
    public let spec: PatchSpec

    /// The fusion module; `nil` when the member has none.
    public var fusion: FusionArchitecture? { spec.fusion }
    /// The LoRA adapters the stack runs; `nil` without LoRA or when merged into the file's own adapter.
    public var lora: LoRAConfig? { loraMerged ? nil : spec.lora }
    /// The member's LoRA config as declared (also when merged).
    public var declaredLoRA: LoRAConfig? { spec.lora }
    /// Stored reference vector sets (names relative to ``tensors``).
    public var referenceVectors: [ReferenceVectorSet] { spec.referenceVectors }
    /// The declared side channel.
    public var sideChannel: SideChannel? { spec.sideChannel }

    /// Makes a member, decoding and checking its manifest's semantic sections.
    /// - Parameters:
    ///   - file: the tensors of the file the member lives in; the member sees those under `tensorPrefix`.
    /// - Throws: ``ComposeError/invalidMembers(file:detail:)`` when a section is invalid.
    public init(name: String? = nil, sideName: String? = nil, weight: Double = 1, digest: String, manifest: Manifest,
                tensorPrefix: String = "", file: any TensorProvider, source: String, via: [MemberRecord.Via] = [],
                loraMerged: Bool = false) throws(ComposeError) {
        let memberName = name ?? manifest.name ?? "patch"
        do { spec = try PatchSpec(manifest: manifest) } catch {
            throw .invalidMembers(file: source, detail: "member '\(memberName)': \(error)")
        }
        self.name = memberName
        self.sideName = sideName ?? spec.sideChannel?.name ?? memberName
        self.weight = weight
        self.digest = digest
        self.manifest = manifest
        self.tensorPrefix = tensorPrefix
        tensors = tensorPrefix.isEmpty ? file : PrefixedTensors(file, prefix: tensorPrefix)
        self.source = source
        self.via = via
        self.loraMerged = loraMerged
    }

    /// The structural signature of the base this member declares (`base.structural_signature`), if any.
    public var baseSignature: String? { manifest[ManifestKey.base]?["structural_signature"]?.stringValue }

    /// Names (relative to the member) of every tensor that belongs to this member.
    public var storedTensorNames: [String] { tensors.tensorInfos.map(\.name) }

    /// The record of this member in a composed manifest, for a file where it is stored under `m.<name>/`.
    public func record(loraMerged merged: Bool) -> MemberRecord {
        MemberRecord(name: name, sideName: sideName, weight: weight, digest: digest,
                     tensorPrefix: MemberRecord.tensorPrefix(forMember: name), manifest: .object(manifest.fields),
                     lora: merged ? "merged" : nil, via: via.isEmpty ? nil : via)
    }
}
