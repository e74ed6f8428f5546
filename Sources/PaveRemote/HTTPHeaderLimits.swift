import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Explicit bounds on the response headers pavepkg accepts from a registry or token server. libcurl already
/// refuses a single header line over 100 KiB; these bound the whole header block, so a hostile server cannot make
/// the client hold or parse an unbounded set of headers.
enum HTTPHeaderLimits {
    /// At most this many header fields.
    static let maxFields = 256
    /// At most this many bytes of names and values together.
    static let maxBytes = 64 << 10

    /// Why `response`'s headers are refused, or nil when they are within the limits.
    static func problem(in response: HTTPURLResponse) -> String? {
        let fields = response.allHeaderFields
        guard fields.count <= maxFields else { return "\(fields.count) header fields (at most \(maxFields) are accepted)" }
        var bytes = 0
        for (k, v) in fields {
            bytes += String(describing: k).utf8.count + String(describing: v).utf8.count
            if bytes > maxBytes { return "more than \(maxBytes) bytes of headers (the limit)" }
        }
        return nil
    }
}
