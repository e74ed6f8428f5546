import Foundation
import PaveCompose
import PaveFormat

/// What ``PatchComposer/compose(_:request:to:)`` writes: the stack's weights and renames, the composed patch's
/// manifest fields, the LoRA merge and how to compress.
public struct ComposeRequest: Sendable {
    /// Weights multiplied into inputs or members (spec/composition.md §3).
    public var weights: [StackWeight]
    /// New names for members (and their side channels).
    public var renames: [MemberRename]
    /// Name of the composed patch (must follow ``PatchNameRule``).
    public var name: String
    /// Version of the composed patch (semver).
    public var version: String
    /// Description; default: the members and their weights.
    public var description: String?
    /// Creation time; default: `SOURCE_DATE_EPOCH` from ``environment``, else the newest member's `created`, else
    /// the input files' newest modification time. Never "now".
    public var created: Date?
    /// The manifest's `tool` field.
    public var tool: String
    /// Merge the members' LoRA adapters into one (`nil`: keep them).
    public var mergeLoRA: LoRAMergeMode?
    /// Compression level, threads and progress of the write; the threads also run verification and the executor.
    public var options: PackOptions
    /// Environment read for `SOURCE_DATE_EPOCH` (default: the process's).
    public var environment: [String: String]

    /// A request; only the tool is required (see each property for its default).
    public init(weights: [StackWeight] = [], renames: [MemberRename] = [], name: String = "stack", version: String = "0.1.0",
                description: String? = nil, created: Date? = nil, tool: String, mergeLoRA: LoRAMergeMode? = nil,
                options: PackOptions = PackOptions(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.weights = weights; self.renames = renames; self.name = name; self.version = version
        self.description = description; self.created = created; self.tool = tool; self.mergeLoRA = mergeLoRA
        self.options = options; self.environment = environment
    }
}

/// What ``PatchComposer/compose(_:request:to:)`` wrote.
public struct ComposeResult: Sendable {
    /// The written file.
    public var summary: PackSummary
    /// The stack the file holds (members, weights, digests).
    public var stack: PatchStack
    /// The LoRA merge record, when the adapters were merged (mode, rank, errors).
    public var loraMerge: LoRAMergeRecord?
}

/// The one call that composes patches into one `.pave` (spec/composition.md §4): every input verified with the
/// full policy (members are copied byte for byte, so a damaged or wrong input is refused), the stack built and
/// checked, the composed plan with the stack's own self-check reference set, written atomically.
public enum PatchComposer {
    /// Composes `inputs` (in summation order) into `url`.
    /// - Throws: ``PaveFormatError/invalidPatchName(name:reason:)`` before any work; ``VerificationFailure`` for an
    ///   input that fails verification (exit status 1); ``ComposeError`` when the patches cannot be stacked.
    @discardableResult
    public static func compose(_ inputs: [PaveFile], request: ComposeRequest, to url: URL) throws -> ComposeResult {
        try PatchNameRule.validate(request.name)
        let verifier = PatchVerifier(policy: .full.using(threads: request.options.threads))
        for input in inputs { try verifier.require(input) }
        let stack = try PatchStack.build(inputs.map { StackInput(file: $0) }, weights: request.weights, renames: request.renames)
        let options = ComposeOptions(name: request.name, version: request.version, description: request.description,
                                     created: try created(request, stack: stack, inputs: inputs), tool: request.tool,
                                     mergeLoRA: request.mergeLoRA)
        var plan = try StackComposer.plan(stack, options: options)
        try StackComposer.addSelfCheck(&plan, threads: request.options.threads)
        let summary = try StackComposer.write(plan, to: url, options: request.options)
        let merge = try plan.manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge)
        return ComposeResult(summary: summary, stack: stack, loraMerge: merge)
    }

    /// The composed file's `created`: the request's, else `SOURCE_DATE_EPOCH`, else `nil` (the plan takes the
    /// newest member's), else — when no member has one — the input files' newest modification time.
    static func created(_ request: ComposeRequest, stack: PatchStack, inputs: [PaveFile]) throws -> String? {
        guard request.created != nil || request.environment["SOURCE_DATE_EPOCH"] != nil || StackComposer.newestCreated(stack) == nil else {
            return nil
        }
        // Installed patches are served from the store (their path is NAME:VERSION, not a file).
        let files = inputs.map { URL(fileURLWithPath: $0.path) }.filter { FileManager.default.fileExists(atPath: $0.path) }
        return try RFC3339.created(at: request.created, environment: request.environment, inputs: files)
    }
}
