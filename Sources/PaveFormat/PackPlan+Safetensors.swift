import Foundation

extension PackPlan {
    /// Adds every tensor of the safetensors files `urls` (names kept). A name must be unique across all files
    /// and the tensors already in the plan.
    /// - Throws: ``SafetensorsError`` for unreadable inputs, ``PaveFormatError/invalidName(name:reason:)`` naming
    ///   both files for a duplicate.
    public mutating func addSafetensors(_ urls: [URL]) throws {
        var origin: [String: String] = [:]
        for t in tensors { origin[t.name] = "the plan" }
        for url in urls {
            let file = try SafetensorsFile(url)
            for source in try SafetensorsTensorSource.all(in: file) {
                if let first = origin[source.name] {
                    throw PaveFormatError.invalidName(name: source.name, reason: "appears in both \(first) and \(url.path) (tensor names must be unique across inputs)")
                }
                origin[source.name] = url.path
                tensors.append(source)
            }
        }
    }
}
