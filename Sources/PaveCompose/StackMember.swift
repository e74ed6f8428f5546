import PaveFormat
import PaveModel

/// One patch in a ``PatchStack``: its manifest, where its tensors are, its weight and side-channel name.
///
/// A member of a plain `.pave` has `tensorPrefix == ""`; a member read out of a composed file has
/// `tensorPrefix == "m.<name>/"` and every tensor prefix of its manifest is read through it
/// (spec/composition.md §4). The section accessors (``fusion``, ``lora``, ``referenceVectors``) return the
/// sections with the prefixes already resolved against ``store``.
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
    /// Prefix of the member's tensors in ``store``.
    public var tensorPrefix: String
    /// Where the member's tensors are.
    public var store: any PatchTensorStore
    /// Composed files this member was flattened out of, outermost first.
    public var via: [MemberRecord.Via]
    /// The member's LoRA factors were folded into the composed file's own adapter (not stored).
    public var loraMerged: Bool

    /// Fusion architecture with the tensor prefix resolved; `nil` when the member has no fusion module.
    public let fusion: FusionArchitecture?
    /// LoRA config with the tensor prefix resolved; `nil` without LoRA or when merged.
    public let lora: LoRAConfig?
    /// The member's LoRA config as declared (also when merged).
    public let declaredLoRA: LoRAConfig?
    /// Stored reference vector sets, prefixes resolved.
    public let referenceVectors: [ReferenceVectorSet]
    /// The declared side channel.
    public let sideChannel: SideChannel?

    /// Makes a member, decoding its manifest's semantic sections.
    /// - Throws: ``ComposeError/invalidMembers(file:detail:)`` when a section does not decode.
    public init(name: String? = nil, sideName: String? = nil, weight: Double = 1, digest: String, manifest: Manifest,
                tensorPrefix: String = "", store: any PatchTensorStore, via: [MemberRecord.Via] = [],
                loraMerged: Bool = false) throws(ComposeError) {
        let memberName = name ?? manifest.name ?? "patch"
        func section<T: Decodable>(_ t: T.Type, _ key: String) throws(ComposeError) -> T? {
            do { return try manifest.decode(T.self, forKey: key) } catch {
                throw .invalidMembers(file: store.storeName, detail: "member '\(memberName)': manifest section '\(key)' is invalid: \(error)")
            }
        }
        var fusion = try section(FusionArchitecture.self, ManifestKey.fusion)
        var lora = try section(LoRAConfig.self, ManifestKey.lora)
        var refs = try section([ReferenceVectorSet].self, ManifestKey.referenceVectors) ?? []
        let side = try section(SideChannel.self, ManifestKey.sideChannel)
        declaredLoRA = lora
        if let p = fusion?.tensorPrefix { fusion?.tensorPrefix = tensorPrefix + p }
        if let p = lora?.tensorPrefix { lora?.tensorPrefix = tensorPrefix + p }
        for i in refs.indices { refs[i].tensorPrefix = tensorPrefix + refs[i].tensorPrefix }
        self.name = memberName
        self.sideName = sideName ?? side?.name ?? memberName
        self.weight = weight
        self.digest = digest
        self.manifest = manifest
        self.tensorPrefix = tensorPrefix
        self.store = store
        self.via = via
        self.loraMerged = loraMerged
        self.fusion = fusion
        self.lora = loraMerged ? nil : lora
        self.referenceVectors = refs
        sideChannel = side
    }

    /// The base model this member declares: `base.structural_signature`, else the canonical `base` section;
    /// `nil` when it declares none.
    public var baseSignature: String? {
        guard let base = manifest[ManifestKey.base] else { return nil }
        if let s = base["structural_signature"]?.stringValue { return s }
        return String(decoding: base.canonicalData(), as: UTF8.self)
    }

    /// Names (in ``store``) of every tensor that belongs to this member.
    public var storedTensorNames: [String] {
        tensorPrefix.isEmpty ? store.tensorNames : store.tensorNames.filter { $0.hasPrefix(tensorPrefix) }
    }

    /// The record of this member in a composed manifest, for a file where it is stored under `m.<name>/`.
    public func record(loraMerged merged: Bool) -> MemberRecord {
        MemberRecord(name: name, sideName: sideName, weight: weight, digest: digest,
                     tensorPrefix: MemberRecord.tensorPrefix(forMember: name), manifest: .object(manifest.fields),
                     lora: merged ? "merged" : nil, via: via.isEmpty ? nil : via)
    }
}
