import PaveFormat
import PaveModel

/// What the registry needs to know about a verified patch file: its manifest, digest, size and where each
/// tensor's data region lies. The registry stores each region as its own blob (so a tensor shared by several
/// patches is stored once) and everything else — header, manifest, index, any non-zero gap — as blobs too,
/// so the file can be served back byte for byte.
public struct PatchImage: Sendable {
    /// A tensor's data region in the file.
    public struct Region: Sendable, Equatable {
        public var tensor: String
        public var offset: Int
        public var length: Int
        public init(tensor: String, offset: Int, length: Int) {
            self.tensor = tensor; self.offset = offset; self.length = length
        }
    }

    /// Where the file was read from (for messages).
    public var path: String
    public var manifest: Manifest
    /// `sha256:<64 hex>`, as the container defines it.
    public var digest: String
    /// File size in bytes.
    public var size: Int
    /// Tensor data regions, in any order.
    public var regions: [Region]
    /// Every tensor's shape, by name (for the base-compatibility check of `install --base`).
    public var tensorShapes: [String: [Int]]

    public init(path: String, manifest: Manifest, digest: String, size: Int, regions: [Region], tensorShapes: [String: [Int]]) {
        self.path = path; self.manifest = manifest; self.digest = digest; self.size = size; self.regions = regions
        self.tensorShapes = tensorShapes
    }

    /// The digest's 64 hex digits, validated.
    func digestHex() throws(RegistryError) -> String {
        guard let hex = Digest(parsing: digest)?.hex else {
            throw .unsupportedPatch(file: path, reason: "digest \"\(digest.prefix(80))\" is not sha256:<64 lowercase hex>")
        }
        return hex
    }

    /// Splits the file into consecutive segments at every region boundary. The segment at offset 0 is the
    /// head; a segment equal to a region carries the tensor's name; the rest are gaps (padding).
    func segmentRanges() throws(RegistryError) -> [(offset: Int, length: Int, tensor: String?)] {
        let sorted = regions.filter { $0.length > 0 }.sorted { $0.offset < $1.offset }
        var out: [(offset: Int, length: Int, tensor: String?)] = []
        var cursor = 0
        for r in sorted {
            let (end, overflow) = r.offset.addingReportingOverflow(r.length)
            guard r.offset >= 0, r.length >= 0, !overflow, end <= size else {
                throw .unsupportedPatch(file: path, reason: "tensor \"\(r.tensor)\" data region \(r.offset)+\(r.length) lies outside the \(size)-byte file")
            }
            guard r.offset >= cursor else {
                throw .unsupportedPatch(file: path, reason: "tensor \"\(r.tensor)\" data region at byte \(r.offset) overlaps the previous one (ends at \(cursor))")
            }
            if r.offset > cursor { out.append((cursor, r.offset - cursor, nil)) }
            out.append((r.offset, r.length, r.tensor))
            cursor = end
        }
        if cursor < size { out.append((cursor, size - cursor, nil)) }
        return out
    }
}

/// Reads and verifies patch files for the registry. ``PaveFileReader`` is the real one (the container);
/// the seam exists so the store can serve its own byte source back to the same reader.
public protocol PatchReader: Sendable {
    /// Opens and fully verifies the file at `path` (for `.pave` files: everything it carries, see
    /// ``PaveFileReader``) and, when `base` is given, that every part of it fits that base.
    /// - Throws: ``RegistryError/patchDamaged(file:problems:)`` listing every failed check.
    func verifiedImage(ofFileAt path: String, base: BaseSignature?) throws -> PatchImage
    /// Opens a stored patch through `source` (served from blobs) and verifies it.
    func verifiedImage(of source: StoredPatchSource, path: String) throws -> PatchImage
    /// Opens a stored patch through `source` without reading tensor data and returns its digest (as the
    /// container recomputes it from the stored head): the cheap check that what was stored is what was verified.
    func digest(of source: StoredPatchSource, path: String) throws -> String
}
