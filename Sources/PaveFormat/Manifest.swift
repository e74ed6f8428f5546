import Foundation

/// The JSON manifest of a `.pave` file.
///
/// Stored as a whole ``JSONValue`` object so that fields this version does not know are kept verbatim;
/// the typed properties read and write the fields the spec defines (`spec/pave-format-v1.md`, §Manifest).
/// Patch semantics (`fusion`, `lora`, `side_channel`, `base`, `reference_vectors`, `provenance`, `members`)
/// are typed in `PaveModel`, read through ``subscript(_:)`` / ``decode(_:forKey:)``.
public struct Manifest: Sendable, Equatable {
    /// Every field, known or not.
    public var fields: [String: JSONValue]

    /// A manifest with the required fields set.
    public init(name: String, version: String, formatVersion: String = "1.0") {
        fields = ["format_version": .string(formatVersion), "name": .string(name), "version": .string(version)]
    }

    /// Wraps an existing JSON object.
    public init(fields: [String: JSONValue]) { self.fields = fields }

    /// Parses manifest JSON bytes (must be a JSON object).
    public init(jsonBytes: some Collection<UInt8>) throws {
        guard let object = try JSONValue.parse(jsonBytes).objectValue else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "manifest is not a JSON object"))
        }
        fields = object
    }

    public subscript(key: String) -> JSONValue? {
        get { fields[key] }
        set { fields[key] = newValue }
    }

    private func string(_ k: String) -> String? { fields[k]?.stringValue }
    private mutating func setString(_ k: String, _ v: String?) { fields[k] = v.map { .string($0) } }

    public var formatVersion: String? { get { string("format_version") } set { setString("format_version", newValue) } }
    public var name: String? { get { string("name") } set { setString("name", newValue) } }
    public var version: String? { get { string("version") } set { setString("version", newValue) } }
    public var description: String? { get { string("description") } set { setString("description", newValue) } }
    public var license: String? { get { string("license") } set { setString("license", newValue) } }
    public var created: String? { get { string("created") } set { setString("created", newValue) } }
    public var tool: String? { get { string("tool") } set { setString("tool", newValue) } }
    public var authors: [String] {
        get { fields["authors"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { fields["authors"] = .array(newValue.map { .string($0) }) }
    }
    public var tags: [String] {
        get { fields["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { fields["tags"] = .array(newValue.map { .string($0) }) }
    }

    /// Decodes the field `key` as `T` (`nil` when absent).
    public func decode<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T? {
        guard let v = fields[key] else { return nil }
        return try v.decode(T.self)
    }

    /// Encodes `value` into field `key` (removes the field for `nil`).
    public mutating func encode(_ value: (some Encodable)?, forKey key: String) throws {
        guard let value else { fields[key] = nil; return }
        fields[key] = try JSONValue.from(value)
    }

    /// Canonical bytes (sorted keys, no white space): what a `.pave` stores and hashes.
    public func canonicalData() -> Data { JSONValue.object(fields).canonicalData() }
}
