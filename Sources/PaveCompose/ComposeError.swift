import PaveFormat

/// Why a stack of patches cannot be built, composed, merged or run. Every case names the members and values
/// involved; codes are stable (`compose.*`, spec/composition.md §2).
public enum ComposeError: Error, Equatable, Sendable {
    /// No member at all.
    case empty
    /// Two members declare different base models (structural signatures, fingerprints or architectures), or
    /// only some declare one; `detail` lists the differences.
    case baseMismatch(member: String, other: String, detail: String)
    /// Two fusion members read queries of different widths or from different sources.
    case queryMismatch(member: String, query: String, other: String, otherQuery: String)
    /// Two fusion members produce outputs of different widths.
    case outputMismatch(member: String, width: Int, other: String, otherWidth: Int)
    /// A LoRA module is targeted by two members with different in/out features.
    case loraShapeMismatch(module: String, member: String, inFeatures: Int, outFeatures: Int,
                           other: String, otherIn: Int, otherOut: Int)
    /// Two fusion members would read the same side input.
    case duplicateSideChannel(name: String, member: String, other: String)
    /// Two members have the same name.
    case duplicateMember(name: String)
    /// A member name breaks the naming rules.
    case invalidMemberName(name: String, reason: String)
    /// A weight is NaN or infinite.
    case nonFiniteWeight(member: String, weight: Double)
    /// A weight names nothing in the stack.
    case unknownWeight(name: String, known: [String])
    /// A rename names no member (or an ambiguous one).
    case unknownMember(key: String, reason: String)
    /// A composed file's `members` section, or a member's tensors, are not what the spec requires.
    case invalidMembers(file: String, detail: String)
    /// A required tensor of a member is missing or has an unusable dtype/shape.
    case badTensor(member: String, tensor: String, detail: String)
    /// A LoRA merge mode that is not `cat` or `svd:R` with R ≥ 1.
    case invalidMergeMode(String)
    /// LAPACK failed on a module's factors.
    case svdFailed(module: String)
    /// A run input is missing or has the wrong shape.
    case badInput(name: String, detail: String)
}

extension ComposeError: PaveError {
    public var code: String {
        switch self {
        case .empty: return "compose.empty"
        case .baseMismatch: return "compose.base_mismatch"
        case .queryMismatch: return "compose.query_mismatch"
        case .outputMismatch: return "compose.output_mismatch"
        case .loraShapeMismatch: return "compose.lora_shape_mismatch"
        case .duplicateSideChannel: return "compose.duplicate_side_channel"
        case .duplicateMember: return "compose.duplicate_member"
        case .invalidMemberName: return "compose.invalid_member_name"
        case .nonFiniteWeight: return "compose.non_finite_weight"
        case .unknownWeight: return "compose.unknown_weight"
        case .unknownMember: return "compose.unknown_member"
        case .invalidMembers: return "compose.invalid_members"
        case .badTensor: return "compose.bad_tensor"
        case .invalidMergeMode: return "compose.invalid_merge_mode"
        case .svdFailed: return "compose.svd_failed"
        case .badInput: return "compose.bad_input"
        }
    }

    public var category: PaveErrorCategory {
        switch self {
        case .unknownWeight, .unknownMember, .invalidMergeMode: return .usage
        case .svdFailed: return .checkFailed
        default: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case .empty:
            return "cannot build a stack: no patch given"
        case let .baseMismatch(m, o, d):
            return "cannot stack '\(m)' with '\(o)': different base models (\(d)); every member must declare the same base"
        case let .queryMismatch(m, q, o, oq):
            return "cannot stack '\(m)' with '\(o)': they read different queries (\(q) vs \(oq)); all fusion members must read the same visual tokens"
        case let .outputMismatch(m, w, o, ow):
            return "cannot stack '\(m)' with '\(o)': different output widths (fusion.output_dim \(w) vs \(ow))"
        case let .loraShapeMismatch(mod, m, i, out, o, oi, oo):
            return "cannot stack '\(m)' with '\(o)': LoRA module \(mod) has in×out \(i)×\(out) in '\(m)' but \(oi)×\(oo) in '\(o)'"
        case let .duplicateSideChannel(n, m, o):
            return "cannot stack '\(m)' with '\(o)': both read side channel '\(n)' (input side.\(n)); rename one of them"
        case let .duplicateMember(n):
            return "two members are named '\(n)'; rename one of them (by its position #k)"
        case let .invalidMemberName(n, r):
            return "invalid member name '\(n)': \(r)"
        case let .nonFiniteWeight(m, w):
            return "weight of '\(m)' is \(w); weights must be finite"
        case let .unknownWeight(n, known):
            return "a weight is given for '\(n)', which is not in the stack (members: \(known.joined(separator: ", ")))"
        case let .unknownMember(k, r):
            return "cannot rename '\(k)': \(r)"
        case let .invalidMembers(f, d):
            return "\(f): invalid composed patch: \(d)"
        case let .badTensor(m, t, d):
            return "member '\(m)', tensor \(t): \(d)"
        case let .invalidMergeMode(s):
            return "LoRA merge mode '\(s)': expected 'cat' or 'svd:R' with an integer R ≥ 1"
        case let .svdFailed(mod):
            return "LAPACK sgesdd failed on the factors of LoRA module \(mod)"
        case let .badInput(n, d):
            return "input \(n): \(d)"
        }
    }
}
