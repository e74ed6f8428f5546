import Foundation

/// A JSON value that keeps everything it was given: integers stay integers, unknown fields survive a
/// decode/encode round trip. The manifest and every JSON side file are handled through this type.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    // MARK: Accessors

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }
    public var objectValue: [String: JSONValue]? { if case let .object(o) = self { return o } else { return nil } }
    /// The value as an `Int` when it is an integer (or a double with an exact integer value).
    public var intValue: Int? {
        switch self {
        case let .int(i): return Int(exactly: i)
        case let .double(d): return Int(exactly: d)
        default: return nil
        }
    }
    /// The value as a `Double` when it is a number.
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }
    /// Member of an object, `nil` for other values or a missing key.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    // MARK: Parsing and canonical output

    /// Parses UTF-8 JSON text with ``JSONParser`` (strict: no duplicate keys, no byte order mark, no lone
    /// surrogates, size and nesting limits).
    /// - Throws: ``JSONParseError``.
    public static func parse(_ data: some Collection<UInt8>, limits: JSONParser.Limits = .default) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(data, limits: limits)
    }

    /// Canonical UTF-8 encoding (``CanonicalJSON/Form/manifest``): object keys sorted by their UTF-8 bytes, no
    /// insignificant white space, `/` not escaped. The same value always gives the same bytes.
    public func canonicalData() -> Data {
        // A JSONValue holds no non-finite double (the parser never produces one), so this never falls back.
        Data(CanonicalJSON.encode(self, form: .manifest) ?? Array("null".utf8))
    }

    /// Indented, key-sorted output for people (`inspect --json`, side files).
    public func prettyData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// Converts any `Encodable` value into a `JSONValue`.
    public static func from(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Decodes this value as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: canonicalData())
    }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        if let o = try? c.decode([String: JSONValue].self) { self = .object(o); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .double(d): try c.encode(d)
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
