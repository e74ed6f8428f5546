import Foundation
import PaveFormat

/// Reads a JSON object field by field and refuses members it does not know, naming the path
/// (`dsseEnvelope.signatures[0].extra`): the OMS verifier parses bundles strictly, so pavepkg does too.
struct StrictObject {
    let path: String
    let members: [String: JSONValue]

    /// `value` as an object whose member names are all in `allowed`.
    init(_ value: JSONValue, path: String, allowed: Set<String>, what: String) throws(SigningError) {
        guard case let .object(o) = value else {
            throw SigningError(.malformedBundle, "\(what): \(path.isEmpty ? "the document" : path) is not a JSON object")
        }
        if let extra = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            let at = path.isEmpty ? extra : "\(path).\(extra)"
            throw SigningError(.unknownField, "\(what): unknown field \"\(at)\" (the OMS format allows only \(allowed.sorted().joined(separator: ", ")) there; a strict verifier such as model_signing refuses it too)")
        }
        self.path = path
        self.members = o
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { members[key] != nil }

    func value(_ key: String, what: String) throws(SigningError) -> JSONValue {
        guard let v = members[key] else { throw SigningError(.malformedBundle, "\(what): missing field \"\(at(key))\"") }
        return v
    }

    func string(_ key: String, what: String) throws(SigningError) -> String {
        guard case let .string(s) = try value(key, what: what) else {
            throw SigningError(.malformedBundle, "\(what): \"\(at(key))\" is not a string")
        }
        return s
    }

    func optionalString(_ key: String, what: String) throws(SigningError) -> String? {
        guard members[key] != nil else { return nil }
        return try string(key, what: what)
    }

    func array(_ key: String, what: String) throws(SigningError) -> [JSONValue] {
        guard case let .array(a) = try value(key, what: what) else {
            throw SigningError(.malformedBundle, "\(what): \"\(at(key))\" is not an array")
        }
        return a
    }

    func base64(_ key: String, what: String) throws(SigningError) -> [UInt8] {
        let s = try string(key, what: what)
        guard let d = Data(base64Encoded: s) else {
            throw SigningError(.malformedBundle, "\(what): \"\(at(key))\" is not standard base64")
        }
        return [UInt8](d)
    }
}
