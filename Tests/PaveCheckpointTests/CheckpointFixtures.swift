import Foundation
@testable import PaveFormat
@testable import PaveTorch

/// Fixture paths and small builders shared by the checkpoint import/export tests (Fixtures/torch).
enum TorchFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torch")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// `expected.json`: file → tensor → {dtype, shape, sha256}.
    static func expected(_ file: String) throws -> [String: JSONValue] {
        let data = try Data(contentsOf: url("expected.json"))
        return try JSONValue.parse(data)[file]?.objectValue ?? [:]
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-import-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes a zip with torch's layout (stored entries) holding exactly `records` (name, bytes), in order.
    static func zip(_ records: [(String, [UInt8])], to url: URL) throws {
        let w = try AtomicFileWriter(destination: url)
        var z = TorchZipWriter(sink: w, path: url.path)
        for (name, bytes) in records { try z.add(name, bytes: bytes) }
        try z.finish()
        try w.commit()
    }

    /// Hex SHA-256 of a tensor's bytes.
    static func hash(_ t: TensorData) -> String { Digest(of: t.bytes).hex }
}
