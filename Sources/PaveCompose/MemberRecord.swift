import PaveFormat

/// One entry of a composed manifest's `members` array (spec/composition.md §4).
public struct MemberRecord: Codable, Sendable, Equatable {
    /// A composed file a member was flattened out of.
    public struct Via: Codable, Sendable, Equatable, Hashable {
        public var name: String
        public var digest: String
        public init(name: String, digest: String) { self.name = name; self.digest = digest }
    }

    public var name: String
    public var sideName: String
    public var weight: Double
    public var digest: String
    public var tensorPrefix: String
    /// The member's own manifest, verbatim (original tensor prefixes).
    public var manifest: JSONValue
    /// `"kept"` or `"merged"`; `nil` means kept.
    public var lora: String?
    public var via: [Via]?

    enum CodingKeys: String, CodingKey {
        case name, weight, digest, manifest, lora, via
        case sideName = "side_name", tensorPrefix = "tensor_prefix"
    }

    public init(name: String, sideName: String, weight: Double, digest: String, tensorPrefix: String,
                manifest: JSONValue, lora: String? = nil, via: [Via]? = nil) {
        self.name = name; self.sideName = sideName; self.weight = weight; self.digest = digest
        self.tensorPrefix = tensorPrefix; self.manifest = manifest; self.lora = lora; self.via = via
    }

    /// The tensor prefix of member `name` in a composed file: `m.<name>/`.
    public static func tensorPrefix(forMember name: String) -> String { "m.\(name)/" }
}
