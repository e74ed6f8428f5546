import Foundation
import PaveFormat
import PaveTorch

/// Fixture paths and small builders shared by the torch and checkpoint tests (`Tests/Fixtures/torch`).
public enum TorchFixtures {
    /// `Tests/Fixtures/torch` of this checkout.
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/torch")

    /// A file of the fixture folder.
    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// `expected.json`: file → tensor → {dtype, shape, sha256}.
    public static func expected(_ file: String) throws -> [String: JSONValue] {
        let data = try Data(contentsOf: url("expected.json"))
        return try JSONValue.parse(data)[file]?.objectValue ?? [:]
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-import-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes a zip with torch's layout (stored entries) holding exactly `records` (name, bytes), in order.
    public static func zip(_ records: [(String, [UInt8])], to url: URL) throws {
        try TorchZipWriter.write(records.map { (name: $0.0, bytes: $0.1) }, to: url)
    }

    /// Hex SHA-256 of a tensor's bytes.
    public static func hash(_ t: TensorData) -> String { Digest(of: t.bytes).hex }
}
