import PaveFormat

/// One installed patch as the index describes it (what `list`, `search` and `show` print).
public struct InstalledPatch: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// `sha256:<hex>`.
    public var digest: String
    /// Bytes of the `.pave` file.
    public var size: Int
    public var description: String
    public var tags: [String]
    public var baseSignature: String?
    public var baseModel: String?
    public var sideChannel: String?
    public var sideChannelEncoder: String?
    public var loraRank: Int?
    public var loraModules: [String]
    public var created: String?
    public var installedAt: String

    enum CodingKeys: String, CodingKey {
        case name, version, digest, size, description, tags, created
        case baseSignature = "base_signature", baseModel = "base_model", sideChannel = "side_channel"
        case sideChannelEncoder = "side_channel_encoder", loraRank = "lora_rank", loraModules = "lora_modules"
        case installedAt = "installed_at"
    }

    /// `name:version`.
    public var reference: String { "\(name):\(version)" }

    /// The columns selected by ``init(row:)``, in order.
    static let columns = """
        name, version, digest, size, description, tags, base_signature, base_model, side_channel_kind, \
        side_channel_encoder, lora_rank, lora_modules, created, installed_at
        """

    init(row: some SQLRowReading) {
        name = row.string(0) ?? ""
        version = row.string(1) ?? ""
        digest = row.string(2) ?? ""
        size = Int(row.int(3) ?? 0)
        description = row.string(4) ?? ""
        tags = Self.stringArray(row.string(5))
        baseSignature = row.string(6)
        baseModel = row.string(7)
        sideChannel = row.string(8)
        sideChannelEncoder = row.string(9)
        loraRank = row.int(10).map { Int($0) }
        loraModules = Self.stringArray(row.string(11))
        created = row.string(12)
        installedAt = row.string(13) ?? ""
    }

    /// Decodes a JSON array of strings as the index stores it. The common case (no escapes) is split by hand:
    /// `list` decodes two such arrays per row and must stay fast with many thousands of rows.
    static func stringArray(_ json: String?) -> [String] {
        guard let json, json != "[]" else { return [] }
        let bytes = Array(json.utf8)
        if !bytes.contains(UInt8(ascii: "\\")), bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            var out: [String] = []
            var i = 1
            while i < bytes.count - 1 {
                guard bytes[i] == UInt8(ascii: "\"") else { i += 1; continue }
                var j = i + 1
                while j < bytes.count - 1, bytes[j] != UInt8(ascii: "\"") { j += 1 }
                out.append(String(decoding: bytes[(i + 1)..<j], as: UTF8.self))
                i = j + 1
            }
            return out
        }
        guard let v = try? JSONValue.parse(bytes) else { return [] }
        return v.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// `show`: the index row plus the manifest and where every byte is stored.
public struct InstalledPatchDetail: Codable, Sendable {
    /// One segment of the file and how it is stored.
    public struct Segment: Codable, Sendable, Equatable {
        public var offset: Int
        public var length: Int
        /// Tensor whose data region this is (`nil`: head or padding).
        public var tensor: String?
        /// SHA-256 hex of the blob, `nil` for zero padding.
        public var blob: String?
        /// How many installed patches use this blob (1 = only this one).
        public var sharedBy: Int?
        enum CodingKeys: String, CodingKey { case offset, length, tensor, blob, sharedBy = "shared_by" }
    }
    public var patch: InstalledPatch
    public var manifest: JSONValue
    public var segments: [Segment]
    /// Bytes stored for this patch alone (blobs no other installed patch uses).
    public var exclusiveBytes: Int
    /// Bytes in blobs shared with other installed patches.
    public var sharedBytes: Int

    enum CodingKeys: String, CodingKey {
        case patch, manifest, segments, exclusiveBytes = "exclusive_bytes", sharedBytes = "shared_bytes"
    }
}
