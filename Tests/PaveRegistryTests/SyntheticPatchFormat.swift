import Crypto
import Foundation
import PaveFormat
import PaveModel
@testable import PaveRegistry

/// A deliberately simple stand-in container used to test the store independently of the `.pave` codec:
/// `SYNP` + u32 head length + head JSON {manifest, regions: [[name, offset, length, sha256]]}, zero padding,
/// then each region at a 64-aligned offset from 4096. The store only relies on ``PatchReader``.
enum SyntheticPatchFormat {
    static func write(manifest: Manifest, tensors: [(String, [UInt8])], to url: URL) throws {
        var regions: [JSONValue] = []
        var offset = 4096
        var body: [(Int, [UInt8])] = []
        for (name, bytes) in tensors {
            regions.append(.array([.string(name), .int(Int64(offset)), .int(Int64(bytes.count)), .string(hex(bytes))]))
            body.append((offset, bytes))
            offset = (offset + bytes.count + 63) / 64 * 64
        }
        let head = JSONValue.object(["manifest": .object(manifest.fields), "regions": .array(regions)]).canonicalData()
        precondition(head.count + 8 <= 4096)
        var file = [UInt8](repeating: 0, count: offset)
        file.replaceSubrange(0..<4, with: Array("SYNP".utf8))
        withUnsafeBytes(of: UInt32(head.count).littleEndian) { file.replaceSubrange(4..<8, with: $0) }
        file.replaceSubrange(8..<(8 + head.count), with: head)
        for (o, b) in body { file.replaceSubrange(o..<(o + b.count), with: b) }
        try Data(file).write(to: url)
    }

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
}

struct SyntheticPatchReader: PatchReader {
    struct Damaged: Error { let reason: String }

    func verifiedImage(ofFileAt path: String, base: BaseSignature?) throws -> PatchImage {
        let file = try RandomAccessFile(URL(fileURLWithPath: path))
        return try image(size: file.size, path: path) { try file.read(at: $0, count: $1) }
    }

    func verifiedImage(of source: StoredPatchSource, path: String) throws -> PatchImage {
        try image(size: source.size, path: path) { try source.read(at: $0, count: $1) }
    }

    func digest(of source: StoredPatchSource, path: String) throws -> String {
        try verifiedImage(of: source, path: path).digest
    }

    private func image(size: Int, path: String, read: (Int, Int) throws -> [UInt8]) throws -> PatchImage {
        let magic = try read(0, 8)
        guard Array(magic[0..<4]) == Array("SYNP".utf8) else { throw Damaged(reason: "not a synthetic patch") }
        let length = Int(magic[4]) | Int(magic[5]) << 8 | Int(magic[6]) << 16 | Int(magic[7]) << 24
        let head = try JSONValue.parse(try read(8, length))
        guard let manifest = head["manifest"]?.objectValue, let regions = head["regions"]?.arrayValue else { throw Damaged(reason: "bad head") }
        var out: [PatchImage.Region] = []
        var digestInput = [UInt8](JSONValue.object(manifest).canonicalData())
        for r in regions {
            guard let a = r.arrayValue, a.count == 4, let name = a[0].stringValue, let o = a[1].intValue, let n = a[2].intValue,
                  let h = a[3].stringValue else { throw Damaged(reason: "bad region") }
            guard SyntheticPatchFormat.hex(try read(o, n)) == h else { throw Damaged(reason: "tensor \(name) hash mismatch") }
            out.append(.init(tensor: name, offset: o, length: n))
            digestInput += Array(name.utf8) + Array(h.utf8)
        }
        return PatchImage(path: path, manifest: Manifest(fields: manifest), digest: "sha256:" + SyntheticPatchFormat.hex(digestInput),
                          size: size, regions: out, tensorShapes: Dictionary(uniqueKeysWithValues: out.map { ($0.tensor, [$0.length]) }))
    }
}
