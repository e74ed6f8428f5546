/// A strict JSON reader for bytes from files and the network: RFC 8259 text, refused with a
/// ``JSONParseError`` when it breaks one of the rules two readers could disagree on (spec/pave-format-v1.md,
/// "JSON text"):
///
/// - no UTF-8 byte order mark; strings are valid UTF-8;
/// - no duplicate key in an object (Python keeps the last, others the first: pavepkg refuses both);
/// - `\uD800`–`\uDFFF` escapes only as a high surrogate followed by a low one;
/// - at most ``Limits/maxBytes`` bytes and ``Limits/maxDepth`` nested arrays/objects.
///
/// Numbers written without fraction or exponent that fit an `Int64` become ``JSONValue/int(_:)``, as does any
/// number whose value is an exact `Int64`; others become ``JSONValue/double(_:)`` (finite only).
public struct JSONParser {
    /// Size and nesting limits.
    public struct Limits: Sendable, Equatable {
        /// Longest text accepted, in bytes.
        public var maxBytes: Int
        /// Deepest nesting of arrays and objects accepted (the top-level value is depth 1).
        public var maxDepth: Int

        public init(maxBytes: Int, maxDepth: Int) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
        }

        /// 100 MB (the safetensors header limit, the largest JSON pavepkg reads) and 64 levels (manifests,
        /// configs and headers use fewer than 10).
        public static let `default` = Limits(maxBytes: 100_000_000, maxDepth: 64)
    }

    /// Parses `bytes` as one JSON value (white space allowed around it).
    /// - Throws: ``JSONParseError``.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .default) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(size: bytes.count, limit: limits.maxBytes) }
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = Cursor(buffer, maxDepth: limits.maxDepth)
            return Result { () throws(JSONParseError) -> JSONValue in try parser.document() }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) -> JSONValue in
            var parser = Cursor(buffer, maxDepth: limits.maxDepth)
            return try parser.document()
        }
    }

    /// The parsing state over one contiguous buffer.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var i = 0
        var depth = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        mutating func document() throws(JSONParseError) -> JSONValue {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { throw .byteOrderMark }
            skipSpace()
            let v = try value()
            skipSpace()
            guard i == bytes.count else { throw .syntax(offset: i, expected: "the end of the text") }
            return v
        }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func value() throws(JSONParseError) -> JSONValue {
            guard let c = peek() else { throw .syntax(offset: i, expected: "a value") }
            switch c {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw .syntax(offset: i, expected: "a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONParseError) {
            let n = word.utf8CodeUnitCount
            guard bytes.count - i >= n else { throw .syntax(offset: i, expected: "\(word)") }
            let w = word.utf8Start
            for k in 0..<n where bytes[i + k] != w[k] { throw .syntax(offset: i, expected: "\(word)") }
            i += n
        }

        mutating func enter() throws(JSONParseError) {
            depth += 1
            guard depth <= maxDepth else { throw .tooDeep(offset: i, limit: maxDepth) }
        }

        mutating func object() throws(JSONParseError) -> JSONValue {
            try enter()
            i += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if peek() == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(members) }
            while true {
                skipSpace()
                let keyOffset = i
                guard peek() == UInt8(ascii: "\"") else { throw .syntax(offset: i, expected: "a string key") }
                let key = try string()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw .syntax(offset: i, expected: "':'") }
                i += 1
                skipSpace()
                let v = try value()
                guard members.updateValue(v, forKey: key) == nil else { throw .duplicateKey(key: key, offset: keyOffset) }
                skipSpace()
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"): i += 1; depth -= 1; return .object(members)
                default: throw .syntax(offset: i, expected: "',' or '}'")
                }
            }
        }

        mutating func array() throws(JSONParseError) -> JSONValue {
            try enter()
            i += 1
            var elements: [JSONValue] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try value())
                skipSpace()
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "]"): i += 1; depth -= 1; return .array(elements)
                default: throw .syntax(offset: i, expected: "',' or ']'")
                }
            }
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard bytes.count - i >= 4 else { throw .syntax(offset: i, expected: "four hex digits") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: throw .syntax(offset: i, expected: "a hex digit")
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }

        /// Reads a string starting at its opening quote.
        mutating func string() throws(JSONParseError) -> String {
            i += 1
            let start = i
            // Fast path: no escapes, ASCII only.
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                    i += 1
                    return s
                }
                if c == UInt8(ascii: "\\") || c >= 0x80 || c < 0x20 { break }
                i += 1
            }
            var out: [UInt8] = Array(bytes[start..<i])
            while true {
                guard i < bytes.count else { throw .syntax(offset: i, expected: "'\"' closing the string") }
                let c = bytes[i]
                switch c {
                case UInt8(ascii: "\""):
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    let escapeOffset = i
                    i += 1
                    guard let e = peek() else { throw .syntax(offset: i, expected: "an escape character") }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if scalar >= 0xDC00, scalar <= 0xDFFF { throw .loneSurrogate(offset: escapeOffset) }
                        if scalar >= 0xD800, scalar <= 0xDBFF {
                            guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                                throw .loneSurrogate(offset: escapeOffset)
                            }
                            i += 2
                            let low = try hex4()
                            guard low >= 0xDC00, low <= 0xDFFF else { throw .loneSurrogate(offset: escapeOffset) }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        // Surrogates are excluded above, so every value here is a scalar.
                        guard let u = Unicode.Scalar(scalar) else { throw .loneSurrogate(offset: escapeOffset) }
                        UTF8.encode(u) { out.append($0) }
                    default:
                        throw .syntax(offset: escapeOffset, expected: "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
                    }
                case 0x00..<0x20:
                    throw .syntax(offset: i, expected: "an escaped control character (raw U+0000-U+001F is not allowed in strings)")
                case 0x80...:
                    let n = try utf8Sequence()
                    out.append(contentsOf: bytes[i..<i + n])
                    i += n
                default:
                    out.append(c)
                    i += 1
                }
            }
        }

        /// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
        func utf8Sequence() throws(JSONParseError) -> Int {
            let b0 = bytes[i]
            func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
                i + k < bytes.count && bytes[i + k] >= lo && bytes[i + k] <= hi
            }
            switch b0 {
            case 0xC2...0xDF where cont(1): return 2
            case 0xE0 where cont(1, 0xA0) && cont(2): return 3
            case 0xE1...0xEC where cont(1) && cont(2): return 3
            case 0xED where cont(1, 0x80, 0x9F) && cont(2): return 3
            case 0xEE...0xEF where cont(1) && cont(2): return 3
            case 0xF0 where cont(1, 0x90) && cont(2) && cont(3): return 4
            case 0xF1...0xF3 where cont(1) && cont(2) && cont(3): return 4
            case 0xF4 where cont(1, 0x80, 0x8F) && cont(2) && cont(3): return 4
            default: throw .invalidUTF8(offset: i)
            }
        }

        mutating func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }

        mutating func number() throws(JSONParseError) -> JSONValue {
            let start = i
            if peek() == UInt8(ascii: "-") { i += 1 }
            let intStart = i
            let n = digits()
            guard n > 0 else { throw .syntax(offset: i, expected: "a digit") }
            if n > 1, bytes[intStart] == UInt8(ascii: "0") { throw .syntax(offset: intStart, expected: "no leading zero") }
            var integral = true
            if peek() == UInt8(ascii: ".") {
                i += 1
                integral = false
                guard digits() > 0 else { throw .syntax(offset: i, expected: "a digit after '.'") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                i += 1
                integral = false
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw .syntax(offset: i, expected: "a digit in the exponent") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            if integral, let v = Int64(text) { return .int(v) }
            guard let d = Double(text), d.isFinite else { throw .syntax(offset: start, expected: "a number within the range of a double") }
            if let v = Int64(exactly: d) { return .int(v) }
            return .double(d)
        }
    }
}
