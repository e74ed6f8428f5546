/// Why bytes were refused as JSON (``JSONParser``). Each case gives the byte offset of the problem.
///
/// The rules (spec/pave-format-v1.md, "JSON text") are those of RFC 8259 plus the I-JSON restrictions of
/// RFC 7493 that make two readers agree on what a file says: no duplicate object keys, no byte order mark,
/// no lone surrogate escapes, only valid UTF-8, and explicit size and nesting limits.
public enum JSONParseError: PaveError, Equatable {
    /// The text is longer than the limit.
    case tooLarge(size: Int, limit: Int)
    /// Arrays and objects are nested deeper than the limit.
    case tooDeep(offset: Int, limit: Int)
    /// An object has the same key twice (readers disagree on which one wins, so neither does).
    case duplicateKey(key: String, offset: Int)
    /// The text starts with a UTF-8 byte order mark (EF BB BF).
    case byteOrderMark
    /// A `\uD800`–`\uDFFF` escape that is not a high surrogate followed by a low one.
    case loneSurrogate(offset: Int)
    /// A string holds bytes that are not UTF-8.
    case invalidUTF8(offset: Int)
    /// Anything else that is not JSON: `expected` says what the parser wanted at `offset`.
    case syntax(offset: Int, expected: String)

    public var code: String {
        switch self {
        case .tooLarge: return "json.size"
        case .tooDeep: return "json.depth"
        case .duplicateKey: return "json.duplicate_key"
        case .byteOrderMark: return "json.byte_order_mark"
        case .loneSurrogate: return "json.surrogate"
        case .invalidUTF8: return "json.utf8"
        case .syntax: return "json.syntax"
        }
    }

    public var category: PaveErrorCategory { .invalidInput }

    public var description: String {
        switch self {
        case let .tooLarge(size, limit):
            return "JSON text is \(size) bytes, over the limit of \(limit)"
        case let .tooDeep(offset, limit):
            return "JSON nesting deeper than \(limit) levels at byte \(offset)"
        case let .duplicateKey(key, offset):
            return "duplicate key \"\(key)\" at byte \(offset) (each key may appear once per object)"
        case .byteOrderMark:
            return "JSON text starts with a UTF-8 byte order mark (none is allowed)"
        case let .loneSurrogate(offset):
            return "lone surrogate escape at byte \(offset) (\\uD800-\\uDFFF must come as a high-low pair)"
        case let .invalidUTF8(offset):
            return "invalid UTF-8 at byte \(offset)"
        case let .syntax(offset, expected):
            return "not valid JSON at byte \(offset): expected \(expected)"
        }
    }
}
