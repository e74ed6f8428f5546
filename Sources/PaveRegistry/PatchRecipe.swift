import Foundation
import PaveFormat

/// How to put an installed patch back together: its segments in file order, each a blob (by SHA-256) or
/// zero padding. Written to `PAVE_HOME/patches/<digest hex>.json` before the index row, so the index can be
/// rebuilt from the recipes and blobs alone (`doctor --rebuild`).
public struct PatchRecipe: Codable, Sendable, Equatable {
    /// One contiguous range of the file.
    public struct Segment: Codable, Sendable, Equatable {
        public var offset: Int
        public var length: Int
        /// SHA-256 hex of the bytes; `nil` for all-zero padding (not stored).
        public var blob: String?
        /// Tensor whose data region this is; `nil` for the head and gaps.
        public var tensor: String?
    }

    public static let currentVersion = 1
    public var recipeVersion: Int
    public var digest: String
    public var name: String
    public var version: String
    public var size: Int
    public var installedAt: String
    public var segments: [Segment]

    enum CodingKeys: String, CodingKey {
        case digest, name, version, size, segments
        case recipeVersion = "recipe_version", installedAt = "installed_at"
    }

    /// Canonical bytes (sorted keys).
    func encoded() throws -> Data {
        try JSONValue.from(self).canonicalData()
    }

    /// Checks that the segments tile `0..<size` exactly and name well-formed blobs.
    func validate(path: String) throws(RegistryError) {
        var cursor = 0
        for s in segments {
            guard s.offset == cursor, s.length > 0 else {
                throw .corruptStore(path: path, reason: "segment at \(s.offset) (length \(s.length)) does not follow byte \(cursor)")
            }
            if let b = s.blob {
                guard b.utf8.count == 64, b.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                    throw .corruptStore(path: path, reason: "segment at \(s.offset) names a malformed blob")
                }
            }
            let (end, overflow) = cursor.addingReportingOverflow(s.length)
            guard !overflow else { throw .corruptStore(path: path, reason: "segment sizes overflow") }
            cursor = end
        }
        guard cursor == size else { throw .corruptStore(path: path, reason: "segments cover \(cursor) bytes, the patch has \(size)") }
    }
}
