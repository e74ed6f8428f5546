import Foundation

/// PEM text: `-----BEGIN LABEL-----`, base64 in 64-column lines, `-----END LABEL-----`, final newline.
enum PEM {
    /// One block of a PEM file.
    struct Block: Equatable {
        var label: String
        var der: [UInt8]
    }

    /// Every block of `text`, in order (text between blocks, such as openssl's comments, is skipped).
    static func blocks(_ text: String) -> [Block] {
        var out: [Block] = []
        var label: String?
        var body = ""
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let l = label {
                if line == "-----END \(l)-----" {
                    if let data = Data(base64Encoded: body) { out.append(Block(label: l, der: [UInt8](data))) }
                    label = nil
                    body = ""
                } else {
                    body += line
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                label = String(line.dropFirst(11).dropLast(5))
            }
        }
        return out
    }

    /// `der` as PEM with `label`: 64-column base64 lines and a final newline (what OpenSSL and Python's
    /// `cryptography` write, and what the OMS key hint hashes).
    static func encode(label: String, der: [UInt8]) -> String {
        let b64 = Data(der).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(b64)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }
}
