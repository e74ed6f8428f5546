/// The one canonical JSON writer of pavepkg: the bytes that digests and signatures are computed over.
///
/// Both forms write no white space, integers as plain decimal, and strings escaping only `"`, `\` and
/// U+0000…U+001F (`\b \t \n \f \r` short forms, others as `\u00xx` with lowercase hex); everything else,
/// `/` included, is raw UTF-8. They differ in two documented rules:
/// - ``Form/rfc8785`` (base signatures, `spec/base-signature.md`): RFC 8785 (JCS) for the subset signatures use —
///   object members sorted by the UTF-16 code units of their names (RFC 8785 §3.2.3); a non-integer number is
///   refused, since no field of a signature is fractional.
/// - ``Form/manifest`` (the `.pave` manifest, `spec/pave-format-v1.md` §4): members sorted by the UTF-8 bytes of
///   their names; a non-integer number is written as Swift's shortest round-trip form (`Double.description`) with
///   a trailing `.0` dropped (`0.0001`, `1e-05`, `2.5e+20`, `100`). These are exactly the bytes pavepkg 0.1.0
///   wrote, so digests of existing files do not change.
public enum CanonicalJSON {
    /// Which canonical form to write.
    public enum Form: Sendable {
        /// RFC 8785 subset: UTF-16 key order, integers only.
        case rfc8785
        /// The `.pave` manifest: UTF-8 key order, shortest round-trip doubles.
        case manifest
    }

    /// The canonical bytes of `value`, or `nil` if it holds a number the form cannot write (a non-integer for
    /// ``Form/rfc8785``, a non-finite double for either).
    public static func encode(_ value: JSONValue, form: Form = .rfc8785) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        guard append(value, form: form, to: &out) else { return nil }
        return out
    }

    private static func append(_ value: JSONValue, form: Form, to out: inout [UInt8]) -> Bool {
        switch value {
        case .null: out += Array("null".utf8)
        case let .bool(b): out += Array((b ? "true" : "false").utf8)
        case let .int(i): out += Array(String(i).utf8)
        case let .double(d):
            guard let text = number(d, form: form) else { return false }
            out += Array(text.utf8)
        case let .string(s): appendString(s, to: &out)
        case let .array(a):
            out.append(UInt8(ascii: "["))
            for (k, element) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                guard append(element, form: form, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case let .object(o):
            out.append(UInt8(ascii: "{"))
            let keys = form == .rfc8785
                ? o.keys.sorted { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) }
                : o.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (k, key) in keys.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                guard let member = o[key], append(member, form: form, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    private static func number(_ d: Double, form: Form) -> String? {
        switch form {
        case .rfc8785:
            return Int64(exactly: d).map { String($0) }
        case .manifest:
            guard d.isFinite else { return nil }
            let text = d.description
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
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
