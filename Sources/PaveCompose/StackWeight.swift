/// The weight of one part of a stack (spec/composition.md §3). Its text form is `KEY=W`, split at the last `=`.
public struct StackWeight: Sendable, Equatable, LosslessStringConvertible {
    /// `#k` (the k-th input, 1-based), an input's name, or a flattened member's name.
    public var key: String
    /// The factor the part's weight is multiplied by; must be finite when the stack is built.
    public var weight: Double

    public init(key: String, weight: Double) {
        self.key = key
        self.weight = weight
    }

    /// Parses `KEY=W` with a non-empty KEY and a decimal number W; `nil` otherwise. A non-finite W parses
    /// (`audio=nan`) and is refused by ``PatchStack/build(_:weights:renames:)`` naming the member.
    public init?(_ description: String) {
        guard let eq = description.lastIndex(of: "="), eq != description.startIndex,
              let w = Double(description[description.index(after: eq)...]) else { return nil }
        self.init(key: String(description[..<eq]), weight: w)
    }

    /// `KEY=W`.
    public var description: String { "\(key)=\(StackComposer.formatWeight(weight))" }
}

/// A new name for one member of a stack (and its side channel). Its text form is `KEY=NEW`, split at the first `=`.
public struct MemberRename: Sendable, Equatable, LosslessStringConvertible {
    /// `#k` (the k-th member after flattening, 1-based) or a unique member name.
    public var key: String
    public var newName: String

    public init(key: String, newName: String) {
        self.key = key
        self.newName = newName
    }

    /// Parses `KEY=NEW` with both parts non-empty; `nil` otherwise.
    public init?(_ description: String) {
        guard let eq = description.firstIndex(of: "="), eq != description.startIndex,
              description.index(after: eq) != description.endIndex else { return nil }
        self.init(key: String(description[..<eq]), newName: String(description[description.index(after: eq)...]))
    }

    /// `KEY=NEW`.
    public var description: String { "\(key)=\(newName)" }
}

extension PatchStack {
    /// ``build(_:weights:renames:)`` with typed weights and renames.
    public static func build(_ inputs: [StackInput], weights: [StackWeight], renames: [MemberRename] = []) throws(ComposeError) -> PatchStack {
        try build(inputs, weights: weights.map { (key: $0.key, weight: $0.weight) }, renames: renames.map { (key: $0.key, newName: $0.newName) })
    }
}
