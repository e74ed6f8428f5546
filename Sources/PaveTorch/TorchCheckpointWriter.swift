import Crypto
import Foundation
import PaveFormat

/// Writes a dict of tensors as `torch.save` (torch 2.x, zip format) writes it, so that
/// `torch.load(path, weights_only=True)` returns the same names, dtypes, shapes and values.
///
/// Layout, as torch's `PyTorchStreamWriter` produces it: stored entries with data descriptors, every
/// record's data 64-byte aligned through an `FB` extra field padded with `Z`, records
/// `<stem>/data.pkl`, `<stem>/.format_version`, `<stem>/.storage_alignment`, `<stem>/byteorder`,
/// `<stem>/data/<n>` (one storage per tensor, in order), `<stem>/version`, `<stem>/.data/serialization_id`,
/// then the central directory and zip64 end records. `serialization_id` is derived from the content
/// (torch uses a random number), so the same tensors always give the same bytes.
public enum TorchCheckpointWriter {
    /// One tensor to write: name, dtype, shape, and a function that streams its raw little-endian row-major
    /// bytes, in order, to the sink it is given (`chunkSize` bytes at a time). Errors it throws abort the write.
    public struct Tensor {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var stream: (_ chunkSize: Int, _ sink: ([UInt8]) throws -> Void) throws -> Void

        /// A tensor whose bytes `stream(chunkSize, sink)` produces.
        public init(name: String, dtype: DType, shape: [Int], stream: @escaping (Int, ([UInt8]) throws -> Void) throws -> Void) {
            self.name = name; self.dtype = dtype; self.shape = shape; self.stream = stream
        }
    }

    /// Writes `tensors` (in order) to `url` atomically; the archive folder is `url`'s file stem.
    public static func write(_ tensors: [Tensor], to url: URL, chunkSize: Int = 8 << 20) throws {
        let stem = url.deletingPathExtension().lastPathComponent
        var items: [TorchPickleWriter.Item] = []
        var seen = Set<String>()
        for (i, t) in tensors.enumerated() {
            guard let type = TorchStorageType(dtype: t.dtype) else {
                throw TorchWriteError.unsupportedDType(tensor: t.name, dtype: t.dtype.rawValue)
            }
            guard seen.insert(t.name).inserted else { throw TorchWriteError.duplicateTensor(tensor: t.name) }
            items.append(.init(name: t.name, type: type, storageKey: String(i), shape: t.shape))
        }
        let writer = try AtomicFileWriter(destination: url)
        var zip = TorchZipWriter(sink: writer, path: url.path)
        var hasher = SHA256()
        let pickle = TorchPickleWriter.pickle(items)
        hasher.update(data: pickle)
        try zip.add("\(stem)/data.pkl", bytes: pickle)
        try zip.add("\(stem)/.format_version", bytes: Array("1".utf8))
        try zip.add("\(stem)/.storage_alignment", bytes: Array("64".utf8))
        try zip.add("\(stem)/byteorder", bytes: Array("little".utf8))
        for (i, t) in tensors.enumerated() {
            try zip.begin("\(stem)/data/\(i)")
            try t.stream(chunkSize) { chunk in
                hasher.update(data: chunk)
                try zip.write(chunk)
            }
            try zip.end()
        }
        try zip.add("\(stem)/version", bytes: Array("3\n".utf8))
        let digest = Array(hasher.finalize())
        let id = digest.prefix(20).map { b -> String in let s = String(b % 100); return s.count < 2 ? "0" + s : s }.joined()
        try zip.add("\(stem)/.data/serialization_id", bytes: Array(id.utf8))
        try zip.finish()
        try writer.commit()
    }
}
