/// RFC 8785 (JSON Canonicalization Scheme) serialisation of the JSON values base signatures hash.
///
/// Only the subset signatures use is supported: `null`, booleans, integers, strings, arrays and objects.
/// Object members are sorted by the UTF-16 code units of their names (RFC 8785 §3.2.3), no white space is
/// written, integers are plain decimal, and strings escape only `"`, `\` and U+0000…U+001F (`\b \t \n \f \r`
/// short forms, others as `\u00xx` with lowercase hex). Everything else is written as raw UTF-8.
/// Non-integer numbers are refused: RFC 8785 would need ECMAScript number formatting for them, and no field
/// of a signature is fractional.
public enum CanonicalJSON {
    /// The canonical bytes of `value`, or `nil` if it holds a non-integer number.
    public static func encode(_ value: JSONValue) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        guard append(value, to: &out) else { return nil }
        return out
    }

    private static func append(_ value: JSONValue, to out: inout [UInt8]) -> Bool {
        switch value {
        case .null: out += Array("null".utf8)
        case let .bool(b): out += Array((b ? "true" : "false").utf8)
        case let .int(i): out += Array(String(i).utf8)
        case let .double(d):
            guard let i = Int64(exactly: d) else { return false }
            out += Array(String(i).utf8)
        case let .string(s): appendString(s, to: &out)
        case let .array(a):
            out.append(UInt8(ascii: "["))
            for (k, element) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                guard append(element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case let .object(o):
            out.append(UInt8(ascii: "{"))
            let keys = o.keys.sorted { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) }
            for (k, key) in keys.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                guard let member = o[key], append(member, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x00..<0x20:
                out += Array("\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
