import Foundation
import PaveFormat

/// A `torch.save` file (zip format) holding a dict of tensors, opened without executing anything.
///
/// The archive's records are `<stem>/data.pkl` (the pickle, read by ``TorchPickleReader``), `<stem>/data/<key>`
/// (raw little-endian storages), `<stem>/byteorder`, `<stem>/version` and, from torch 2.x, `.format_version`,
/// `.storage_alignment`, `.data/serialization_id`. Every tensor view (offset, size, stride) is checked against
/// its storage's bounds; contiguous tensors are read straight from the archive on demand, non-contiguous
/// views are gathered into contiguous bytes once. Open a file with ``init(url:limits:)``, bytes in memory
/// with ``init(bytes:name:limits:)``, or any ``PaveByteSource`` with ``init(source:path:limits:)``.
public final class TorchCheckpointFile: Sendable {
    /// Limits for what a tensor-dict checkpoint may contain.
    public struct Limits: Sendable {
        /// Largest `data.pkl`.
        public var maxPickleBytes = 64 << 20
        /// Largest non-contiguous view gathered into memory.
        public var maxGatherBytes = 1 << 30
        /// Limits of the pickle interpreter.
        public var pickle = TorchPickleReader.Limits()
        /// The default limits.
        public init() {}
    }

    /// One tensor of the dict.
    public struct Tensor: Sendable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// The view as the pickle describes it.
        public var view: TorchTensorRef
        /// Whether the view is a contiguous row-major range of its storage.
        public var isContiguous: Bool
        public var byteCount: Int
    }

    /// Path of the file, or the name given for in-memory bytes (for messages).
    public let path: String
    /// The archive's top folder name (torch uses the file stem at save time).
    public let stem: String
    /// Tensors in the dict's order.
    public let tensors: [Tensor]
    private let archive: ZipArchive
    private let limits: Limits

    /// The 12-byte prefix of a legacy (pre-zip) `torch.save` file: `PROTO 2, LONG1 10 bytes`, then the
    /// magic number 0x1950a86a20f9469cfc6c little-endian.
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Opens `url` and parses its pickle (no tensor data is read yet).
    public convenience init(url: URL, limits: Limits = Limits()) throws {
        let file = try RandomAccessFile(url)
        try self.init(source: FileByteSource(file: file), path: url.path, limits: limits)
    }

    /// Parses a `torch.save` file held in memory (no file system access); `name` stands for the path in
    /// messages. The byte-based entry point for fuzzing: the zip form is opened, the legacy (pre-zip) form is
    /// recognised and refused with ``TorchFormatError/legacyFormat(path:)``.
    public convenience init(bytes: [UInt8], name: String = "(memory)", limits: Limits = Limits()) throws {
        try self.init(source: MemoryByteSource(bytes), path: name, limits: limits)
    }

    /// Parses the `torch.save` file `source` holds (a file, memory, or a stored entry of another zip).
    public init(source: any PaveByteSource, path: String, limits: Limits = Limits()) throws {
        self.path = path
        self.limits = limits
        let head = try source.read(at: 0, count: min(source.size, 512))
        if head.starts(with: Self.legacyMagic) { throw TorchFormatError.legacyFormat(path: path) }
        if head.count >= 262, Array(head[257..<262]) == Array("ustar".utf8) { throw TorchFormatError.legacyFormat(path: path) }
        guard head.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            throw TorchFormatError.notTorchArchive(path: path, reason: "it does not start with a zip local header (PK\\x03\\x04)")
        }
        let archive = try ZipArchive(source: source, path: path)
        self.archive = archive
        let pickles = archive.entries.filter { $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pklEntry = pickles.first else {
            throw TorchFormatError.notTorchArchive(path: path, reason: pickles.isEmpty ? "no <stem>/data.pkl record" : "\(pickles.count) data.pkl records")
        }
        let stem = String(pklEntry.name.dropLast("/data.pkl".count))
        self.stem = stem
        if let bo = archive.entry("\(stem)/byteorder") {
            let order = try archive.contents(bo, maxSize: 16)
            guard order == Array("little".utf8) else {
                throw TorchFormatError.notTorchArchive(path: path, reason: "byteorder is \"\(String(decoding: order, as: UTF8.self))\"; only little-endian archives are read")
            }
        }
        let pickle = try archive.contents(pklEntry, maxSize: limits.maxPickleBytes)
        let refs = try TorchPickleReader.tensors(in: pickle, path: path, limits: limits.pickle)
        var storageTypes: [String: TorchStorageRef] = [:]
        var tensors: [Tensor] = []
        for (name, ref) in refs {
            let s = ref.storage
            if let prior = storageTypes[s.key], prior != s {
                throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "storage \(s.key) is described as \(s.type.rawValue)×\(s.elementCount) here but \(prior.type.rawValue)×\(prior.elementCount) elsewhere")
            }
            storageTypes[s.key] = s
            guard let record = archive.entry("\(stem)/data/\(s.key)") else {
                throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "its storage record \(stem)/data/\(s.key) is missing")
            }
            let storageBytes = s.elementCount * s.type.elementSize  // overflow checked by the pickle reader
            guard record.uncompressedSize == storageBytes else {
                throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "storage record \(record.name) has \(record.uncompressedSize) bytes, the pickle says \(s.elementCount) × \(s.type.elementSize) = \(storageBytes)")
            }
            guard record.method == 0 else {
                throw TorchFormatError.notTorchArchive(path: path, reason: "storage record \(record.name) is compressed; torch.save stores storages uncompressed")
            }
            guard let count = Shape.elementCount(ref.shape), let bytes = s.type.dtype.byteCount(elementCount: count) else {
                throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "size \(Shape.describe(ref.shape)) overflows")
            }
            if count == 0 {
                // An empty view reads nothing, but its offset is still used in arithmetic: keep it in the storage.
                guard ref.offset <= s.elementCount else {
                    throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "empty view at offset \(ref.offset) lies outside a storage of \(s.elementCount) elements")
                }
            } else {
                // Highest element index the view touches: offset + Σ (size_i − 1)·stride_i, checked.
                var last = ref.offset
                for (d, st) in zip(ref.shape, ref.stride) {
                    let (m, o1) = (d - 1).multipliedReportingOverflow(by: st)
                    let (sum, o2) = last.addingReportingOverflow(m)
                    guard !o1, !o2 else { throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "stride \(Shape.describe(ref.stride)) overflows") }
                    last = sum
                }
                guard last < s.elementCount else {
                    throw TorchFormatError.invalidTensor(path: path, tensor: name, reason: "view (offset \(ref.offset), size \(Shape.describe(ref.shape)), stride \(Shape.describe(ref.stride))) reaches element \(last) of a storage of \(s.elementCount) elements")
                }
            }
            tensors.append(Tensor(name: name, dtype: s.type.dtype, shape: ref.shape, view: ref,
                                  isContiguous: Self.isContiguous(shape: ref.shape, stride: ref.stride), byteCount: bytes))
        }
        self.tensors = tensors
    }

    /// Whether `stride` is the row-major stride of `shape` (dims of size 1 may have any stride).
    static func isContiguous(shape: [Int], stride: [Int]) -> Bool {
        if shape.contains(0) { return true }
        var expected = 1
        for (d, s) in zip(shape, stride).reversed() {
            if d != 1, s != expected { return false }
            expected *= d
        }
        return true
    }

    /// The tensor's contiguous row-major bytes: `count` bytes starting `offset` bytes into the tensor. A
    /// contiguous view is read straight from the archive; a non-contiguous one needs ``gathered(_:)``.
    public func readContiguous(_ tensor: Tensor, offset: Int, count: Int) throws -> [UInt8] {
        let (record, start) = try contiguousRecord(tensor)
        guard offset >= 0, count >= 0, offset <= tensor.byteCount, count <= tensor.byteCount - offset else {
            throw TorchFormatError.invalidTensor(path: path, tensor: tensor.name, reason: "read of \(count) bytes at \(offset) is outside its \(tensor.byteCount) bytes")
        }
        return try archive.readStored(record, offset: start + offset, count: count)
    }

    /// Fills `buffer` with the tensor's contiguous bytes starting `offset` bytes into it (no intermediate array).
    public func readContiguous(_ tensor: Tensor, offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        let (record, start) = try contiguousRecord(tensor)
        guard offset >= 0, offset <= tensor.byteCount, buffer.count <= tensor.byteCount - offset else {
            throw TorchFormatError.invalidTensor(path: path, tensor: tensor.name, reason: "read of \(buffer.count) bytes at \(offset) is outside its \(tensor.byteCount) bytes")
        }
        try archive.readStored(record, offset: start + offset, into: buffer)
    }

    /// The whole tensor as contiguous row-major bytes; a non-contiguous view is gathered, up to
    /// ``Limits/maxGatherBytes``.
    public func gathered(_ tensor: Tensor) throws -> [UInt8] {
        if tensor.isContiguous { return try readContiguous(tensor, offset: 0, count: tensor.byteCount) }
        guard tensor.byteCount <= limits.maxGatherBytes else {
            throw TorchFormatError.invalidTensor(path: path, tensor: tensor.name, reason: "non-contiguous view of \(tensor.byteCount) bytes exceeds the \(limits.maxGatherBytes)-byte gather limit")
        }
        return try gather(tensor, record: try storageRecord(tensor))
    }

    /// Reads a whole tensor into memory.
    public func load(_ tensor: Tensor) throws -> TensorData {
        try TensorData(dtype: tensor.dtype, shape: tensor.shape, bytes: try gathered(tensor))
    }

    private func storageRecord(_ tensor: Tensor) throws -> ZipArchive.Entry {
        guard let record = archive.entry("\(stem)/data/\(tensor.view.storage.key)") else {
            throw TorchFormatError.invalidTensor(path: path, tensor: tensor.name, reason: "storage record missing")
        }
        return record
    }

    private func contiguousRecord(_ tensor: Tensor) throws -> (ZipArchive.Entry, Int) {
        guard tensor.isContiguous else {
            throw TorchFormatError.invalidTensor(path: path, tensor: tensor.name, reason: "a non-contiguous view has no contiguous byte range; gather it")
        }
        return (try storageRecord(tensor), tensor.view.offset * tensor.view.storage.type.elementSize)
    }

    private func gather(_ tensor: Tensor, record: ZipArchive.Entry) throws -> [UInt8] {
        let v = tensor.view
        let es = v.storage.type.elementSize
        let n = tensor.byteCount / es
        var out = [UInt8](repeating: 0, count: tensor.byteCount)
        guard n > 0 else { return out }
        var last = v.offset
        for (d, s) in zip(v.shape, v.stride) { last += (d - 1) * s }  // checked at open
        let span = try archive.readStored(record, offset: v.offset * es, count: (last - v.offset + 1) * es)
        var index = [Int](repeating: 0, count: v.shape.count)
        var src = 0
        for i in 0..<n {
            for b in 0..<es { out[i * es + b] = span[src * es + b] }
            // Advance the multi-index (row-major) and the source element.
            var k = v.shape.count - 1
            while k >= 0 {
                index[k] += 1
                src += v.stride[k]
                if index[k] < v.shape[k] { break }
                src -= v.stride[k] * v.shape[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }
}
