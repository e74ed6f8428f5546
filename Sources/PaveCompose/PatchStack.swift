import PaveFormat
import PaveModel

/// A checked stack of PAVE patches sharing one base model: the object the executor runs.
///
/// `fused = Σᵢ wᵢ · fᵢ(visual, sideᵢ)` and, per LoRA module, `delta(x) = Σᵢ wᵢ · sᵢ · x · Aᵢᵀ · Bᵢᵀ`
/// (spec/composition.md §1). Creating a stack runs every compatibility check of §2; a value of this type is
/// always compatible.
public struct PatchStack: Sendable {
    /// An adapter that belongs to the composed file itself (`--merge-lora`), added with weight 1.
    public struct OwnLoRA: Sendable {
        public var config: LoRAConfig
        /// The composed file's tensors.
        public var tensors: any TensorProvider
        public init(config: LoRAConfig, tensors: any TensorProvider) { self.config = config; self.tensors = tensors }
    }

    /// Members in summation order.
    public let members: [StackMember]
    /// The composed file's own merged adapter, if any.
    public let ownLoRA: OwnLoRA?
    /// How ``ownLoRA`` was made.
    public let loraMerge: LoRAMergeRecord?
    /// LoRA module → (in, out) features, over every member and the own adapter.
    public let loraShapes: [String: (inFeatures: Int, outFeatures: Int)]

    /// Builds a stack, checking compatibility.
    /// - Throws: ``ComposeError`` naming the reason (spec/composition.md §2).
    public init(members: [StackMember], ownLoRA: OwnLoRA? = nil, loraMerge: LoRAMergeRecord? = nil) throws(ComposeError) {
        guard !members.isEmpty else { throw .empty }
        try Self.checkNames(members)
        for m in members where !m.weight.isFinite { throw .nonFiniteWeight(member: m.name, weight: m.weight) }
        try Self.checkBase(members)
        try Self.checkFusion(members)
        var shapes = try Self.checkLoRA(members)
        if let own = ownLoRA {
            for module in own.config.targetModules {
                let s = try Self.loraShape(module: module, config: own.config, tensors: own.tensors, owner: "(merged adapter)")
                shapes[module] = (s.inFeatures, s.outFeatures)
            }
        }
        self.members = members
        self.ownLoRA = ownLoRA
        self.loraMerge = loraMerge
        loraShapes = shapes
    }

    /// Members with a fusion module.
    public var fusionMembers: [StackMember] { members.filter { $0.fusion != nil } }

    /// Every LoRA module the stack changes, sorted.
    public var loraModules: [String] { loraShapes.keys.sorted() }

    /// The name of the run input holding `member`'s side features: `side` when the stack has one fusion
    /// member, else `side.<side name>`.
    public func sideInputName(for member: StackMember) -> String {
        fusionMembers.count == 1 ? "side" : "side.\(member.sideName)"
    }

    /// Query width, output width of the stack's fusion output (`nil` without fusion members).
    public var fusionWidths: (query: Int, output: Int)? {
        fusionMembers.first.flatMap { m in m.fusion.map { ($0.queryDim, $0.outputDim) } }
    }

    /// Structural signature of the members' base, if declared.
    public var baseSignature: String? { members.lazy.compactMap(\.baseSignature).first }
}
