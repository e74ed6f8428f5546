import Crypto
import Foundation
import PaveFormat
import PaveTorch

/// One file of a PAVE checkpoint folder as the importer reads it: a file on disk, or bytes (an entry of a zip
/// read in place, or inflated into memory). Its SHA-256 is known when it was computed while extracting.
struct CheckpointFile: Sendable {
    enum Storage: Sendable {
        case file(URL)
        case bytes(any PaveByteSource)
    }

    /// File name inside the checkpoint folder (`config.json`, …).
    let name: String
    /// Where the bytes are, and a path for messages.
    let storage: Storage
    let path: String
    let size: Int
    /// Hex SHA-256, when already computed.
    var sha256: String?

    /// The hex SHA-256 of the bytes, streamed in 8 MiB pieces (`progress(done, total)` after each).
    func digest(progress: ((Int64, Int64) -> Void)?) throws -> String {
        if let sha256 { return sha256 }
        switch storage {
        case let .file(url): return try ContentDigest.sha256Hex(fileAt: url, progress: progress)
        case let .bytes(source): return try ContentDigest.sha256Hex(of: source, progress: progress)
        }
    }

    /// All bytes, refused above `maxSize`.
    func contents(maxSize: Int) throws -> [UInt8] {
        guard size <= maxSize else {
            throw CheckpointImportError.invalidConfig(file: name, field: "(file)", reason: "\(size) bytes exceeds \(maxSize)")
        }
        switch storage {
        case let .file(url):
            let f = try RandomAccessFile(url)
            guard f.size <= maxSize else { throw CheckpointImportError.invalidConfig(file: name, field: "(file)", reason: "\(f.size) bytes exceeds \(maxSize)") }
            return try f.read(at: 0, count: f.size)
        case let .bytes(source): return try source.read(at: 0, count: source.size)
        }
    }

    /// The file opened as a `torch.save` checkpoint (nothing executed).
    func torchCheckpoint() throws -> TorchCheckpointFile {
        switch storage {
        case let .file(url): return try TorchCheckpointFile(url: url)
        case let .bytes(source): return try TorchCheckpointFile(source: source, path: path)
        }
    }

    /// The file opened as safetensors (a file on disk, or bytes: a streamed adapter).
    func safetensors() throws -> SafetensorsFile {
        switch storage {
        case let .file(url): return try SafetensorsFile(url)
        case let .bytes(source): return try SafetensorsFile(source: source, url: URL(fileURLWithPath: path))
        }
    }

    /// A file on disk.
    static func onDisk(_ url: URL, name: String) throws -> CheckpointFile {
        let f = try RandomAccessFile(url)
        return CheckpointFile(name: name, storage: .file(url), path: url.path, size: f.size)
    }
}
