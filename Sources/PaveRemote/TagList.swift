import Foundation
import PaveFormat

extension RegistryClient {
    /// Every tag of `repository` (`GET /v2/<name>/tags/list`, following the paginated `Link: <…>; rel="next"`
    /// answers), up to `limit` tags.
    /// - Throws: ``RemoteError/repositoryUnknown(registry:repository:)`` when the repository does not exist.
    public func tags(_ repository: String, limit: Int = 100_000, pageSize: Int = 1000) throws(RemoteError) -> [String] {
        var out: [String] = []
        var next: URL? = url("/v2/\(repository)/tags/list", query: [URLQueryItem(name: "n", value: String(pageSize))])
        var pages = 0
        while let page = next, out.count < limit {
            pages += 1
            guard pages <= 10_000 else { break }
            let req = Request(method: "GET", url: page, repository: repository, operation: "list tags")
            let r = try send(req, sink: .collect(limit: 16 << 20))
            if r.status == 404 { throw .repositoryUnknown(registry: registry, repository: repository) }
            guard r.status == 200 else { throw failure(r, req) }
            guard let json = try? JSONValue.parse(r.body) else {
                throw .http(registry: registry, repository: repository, operation: "list tags", status: r.status, detail: "the answer is not JSON")
            }
            let tags = json["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            out += tags.prefix(limit - out.count)
            next = Self.nextLink(r.header("link"), relativeTo: page)
            if tags.isEmpty { break }
        }
        return out
    }

    /// The `rel="next"` target of a `Link` header.
    static func nextLink(_ header: String?, relativeTo base: URL) -> URL? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            guard part.contains("rel=\"next\"") || part.contains("rel=next"),
                  let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
            let target = String(part[part.index(after: open)..<close])
            return URL(string: target, relativeTo: base)?.absoluteURL
        }
        return nil
    }
}
