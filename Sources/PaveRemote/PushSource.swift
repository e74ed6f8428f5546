import struct Crypto.SHA256
import Foundation
import PaveFormat
import PaveRegistry

/// A patch ready to push: what it is, its layers (the file's pieces with their digests) and where to read
/// their bytes — a verified `.pave` file, or an installed patch served from the local store.
public struct PushSource: Sendable {
    public var patch: InstalledPatch
    public var layers: [PatchArtifact.Layer]
    /// Where the bytes are read from (a file path or `name:version`), for messages.
    public var origin: String
    let read: @Sendable (Int, Int) throws -> [UInt8]

    /// A `.pave` file, fully verified by `reader` first (a damaged file is never pushed).
    public static func file(_ path: String, reader: any PatchReader) throws -> PushSource {
        let image = try reader.verifiedImage(ofFileAt: path, base: nil)
        let patch = try image.summary()
        let file = try RandomAccessFile(URL(fileURLWithPath: path))
        guard file.size == image.size else {
            throw RemoteError.io(path: path, operation: "read", reason: "the file is \(file.size) bytes; it was \(image.size) when verified")
        }
        var layers: [PatchArtifact.Layer] = []
        for piece in try image.storagePieces(of: file) {
            let digest = try Digest(of: FileByteSource(file: file), offset: piece.offset, count: piece.length)
            layers.append(PatchArtifact.Layer(piece: piece, digest: digest))
        }
        return PushSource(patch: patch, layers: layers, origin: path, read: { try file.read(at: $0, count: $1) })
    }

    /// An installed patch: its recipe's segments are the layers (their blobs already carry the digests).
    public static func installed(_ patch: InstalledPatch, registry: Registry) throws -> PushSource {
        let source = try registry.source(for: patch)
        var layers: [PatchArtifact.Layer] = []
        for segment in source.recipe.segments {
            let kind: PatchPiece.Kind
            let digest: Digest
            if let blob = segment.blob {
                guard let d = Digest(hex: blob) else {
                    throw RemoteError.io(path: registry.layout.home.path, operation: "read recipe of \(patch.reference)", reason: "malformed blob name")
                }
                digest = d
                kind = segment.tensor.map { .tensor($0) } ?? .run
            } else {
                digest = Self.zeroDigest(segment.length)
                kind = .zeroPadding
            }
            layers.append(PatchArtifact.Layer(piece: PatchPiece(offset: segment.offset, length: segment.length, kind: kind), digest: digest))
        }
        return PushSource(patch: patch, layers: layers, origin: patch.reference, read: { try source.read(at: $0, count: $1) })
    }

    static func zeroDigest(_ count: Int) -> Digest {
        var hasher = SHA256()
        let zeros = [UInt8](repeating: 0, count: min(count, 1 << 20))
        var done = 0
        while done < count {
            let n = min(zeros.count, count - done)
            hasher.update(data: zeros[0..<n])
            done += n
        }
        return Digest(finalizing: hasher)
    }
}
