import Foundation

/// A safetensors file opened for random access: the header is parsed and checked, tensor data is read
/// on demand. Follows the public format: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}`), then the
/// data buffer; offsets are relative to the buffer and must tile it exactly.
public final class SafetensorsFile: Sendable {
    /// Largest header accepted (the reference implementation's limit).
    public static let maxHeaderSize = 100_000_000

    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Offsets of the tensor's bytes relative to the start of the data buffer.
        public var begin: Int
        public var end: Int
        public var byteCount: Int { end - begin }
    }

    public let url: URL
    /// Entries in data order (ascending offset).
    public let entries: [Entry]
    /// `__metadata__`, if present.
    public let metadata: [String: String]
    /// Absolute offset of the data buffer.
    public let dataStart: Int
    private let file: any PaveByteSource
    private let byName: [String: Int]

    /// Opens and validates `url`'s header.
    public convenience init(_ url: URL) throws(SafetensorsError) {
        let file: FileByteSource
        do { file = try FileByteSource(url) } catch { throw .io(error.description) }
        try self.init(source: file, url: url)
    }

    /// Validates the header of the safetensors bytes held by `source` (memory, a file, …); `url` names it in
    /// messages.
    public init(source file: any PaveByteSource, url: URL) throws(SafetensorsError) {
        self.url = url
        self.file = file
        let path = url.path
        guard file.size >= 8 else { throw .notSafetensors(path: path, reason: "file is \(file.size) bytes, shorter than the 8-byte header length") }
        let lenBytes: [UInt8]
        do { lenBytes = try file.read(at: 0, count: 8) } catch { throw .io("\(error)") }
        let n = ByteReader.u64(lenBytes, at: 0) ?? 0
        guard n <= UInt64(Self.maxHeaderSize) else {
            throw .notSafetensors(path: path, reason: "declared header length \(n) exceeds the \(Self.maxHeaderSize)-byte limit")
        }
        guard Int(n) <= file.size - 8 else {
            throw .notSafetensors(path: path, reason: "declared header length \(n) runs past the end of the \(file.size)-byte file")
        }
        let headerBytes: [UInt8]
        do { headerBytes = try file.read(at: 8, count: Int(n)) } catch { throw .io("\(error)") }
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw .notSafetensors(path: path, reason: "header does not start with '{'")
        }
        let header: JSONValue
        do { header = try JSONValue.parse(headerBytes) } catch {
            throw .notSafetensors(path: path, reason: "header is not valid JSON: \(error)")
        }
        guard let object = header.objectValue else { throw .notSafetensors(path: path, reason: "header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value.objectValue else { throw .invalidHeader(path: path, tensor: name, reason: "__metadata__ must be an object of strings") }
                for (k, v) in m {
                    guard let s = v.stringValue else { throw .invalidHeader(path: path, tensor: name, reason: "__metadata__ value for \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let dtypeName = value["dtype"]?.stringValue else { throw .invalidHeader(path: path, tensor: name, reason: "missing \"dtype\"") }
            guard let dtype = DType(rawValue: dtypeName) else { throw .invalidHeader(path: path, tensor: name, reason: "unknown dtype \"\(dtypeName)\"") }
            guard let shapeValues = value["shape"]?.arrayValue else { throw .invalidHeader(path: path, tensor: name, reason: "missing \"shape\"") }
            var shape: [Int] = []
            for d in shapeValues {
                guard let i = d.intValue, i >= 0 else { throw .invalidHeader(path: path, tensor: name, reason: "shape entries must be non-negative integers") }
                shape.append(i)
            }
            guard let offs = value["data_offsets"]?.arrayValue, offs.count == 2,
                let b = offs[0].intValue, let e = offs[1].intValue, b >= 0, e >= b
            else { throw .invalidHeader(path: path, tensor: name, reason: "\"data_offsets\" must be [begin, end] with 0 <= begin <= end") }
            guard let count = Shape.elementCount(shape), let bytes = dtype.byteCount(elementCount: count) else {
                throw .invalidHeader(path: path, tensor: name, reason: "shape \(Shape.describe(shape)) overflows or is not whole bytes of \(dtype.rawValue)")
            }
            guard bytes == e - b else {
                throw .invalidHeader(path: path, tensor: name, reason: "data_offsets span \(e - b) bytes but \(dtype.rawValue) \(Shape.describe(shape)) needs \(bytes)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: b, end: e))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for e in entries {
            guard e.begin == cursor else {
                throw .invalidHeader(path: path, tensor: e.name, reason: e.begin < cursor ? "data overlaps the previous tensor (begins at \(e.begin), previous ends at \(cursor))" : "hole in the data buffer before this tensor (begins at \(e.begin), expected \(cursor))")
            }
            cursor = e.end
        }
        let dataStart = 8 + Int(n)
        guard cursor == file.size - dataStart else {
            throw .invalidHeader(path: path, tensor: entries.last?.name ?? "(none)", reason: "tensors cover \(cursor) data bytes but the file has \(file.size - dataStart)")
        }
        self.entries = entries
        self.metadata = metadata
        self.dataStart = dataStart
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() { byName[e.name] = i }
        self.byName = byName
    }

    /// The entry named `name`.
    public func entry(_ name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// Reads one tensor.
    public func tensor(_ name: String) throws(SafetensorsError) -> TensorData {
        guard let e = entry(name) else { throw .missingTensor(path: url.path, tensor: name) }
        let bytes: [UInt8]
        do { bytes = try file.read(at: dataStart + e.begin, count: e.byteCount) } catch { throw .io("\(error)") }
        do { return try TensorData(dtype: e.dtype, shape: e.shape, bytes: bytes) } catch { throw .invalidHeader(path: url.path, tensor: name, reason: error.description) }
    }

    /// Reads `count` raw bytes of tensor `name` starting `offset` bytes into it (for streaming).
    public func readBytes(of name: String, offset: Int, count: Int) throws(SafetensorsError) -> [UInt8] {
        guard let e = entry(name) else { throw .missingTensor(path: url.path, tensor: name) }
        guard offset >= 0, count >= 0, offset <= e.byteCount, count <= e.byteCount - offset else {
            throw .invalidHeader(path: url.path, tensor: name, reason: "read of \(count) bytes at \(offset) is outside its \(e.byteCount) bytes")
        }
        do { return try file.read(at: dataStart + e.begin + offset, count: count) } catch { throw .io("\(error)") }
    }

    /// Fills `buffer` with raw bytes of tensor `name` starting `offset` bytes into it (no intermediate array).
    public func readBytes(of name: String, offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(SafetensorsError) {
        guard let e = entry(name) else { throw .missingTensor(path: url.path, tensor: name) }
        guard offset >= 0, offset <= e.byteCount, buffer.count <= e.byteCount - offset else {
            throw .invalidHeader(path: url.path, tensor: name, reason: "read of \(buffer.count) bytes at \(offset) is outside its \(e.byteCount) bytes")
        }
        do { try file.read(into: buffer, at: dataStart + e.begin + offset) } catch { throw .io("\(error)") }
    }
}

/// Writes safetensors files that Python's `safetensors` loads: header padded with spaces to a multiple of
/// 8 bytes, tensors laid out in the order given.
public enum SafetensorsWriter {
    /// Builds the header bytes (length prefix included) for tensors of the given dtypes and shapes, in order.
    public static func header(for tensors: [(name: String, dtype: DType, shape: [Int])], metadata: [String: String]?) throws(SafetensorsError) -> [UInt8] {
        var object: [String: JSONValue] = [:]
        var offset = 0
        for t in tensors {
            guard t.name != "__metadata__", object[t.name] == nil else { throw .invalidHeader(path: "(output)", tensor: t.name, reason: "duplicate or reserved tensor name") }
            guard let n = Shape.elementCount(t.shape), let b = t.dtype.byteCount(elementCount: n) else {
                throw .invalidHeader(path: "(output)", tensor: t.name, reason: "invalid shape \(Shape.describe(t.shape))")
            }
            object[t.name] = .object([
                "dtype": .string(t.dtype.rawValue),
                "shape": .array(t.shape.map { .int(Int64($0)) }),
                "data_offsets": .array([.int(Int64(offset)), .int(Int64(offset + b))]),
            ])
            offset += b
        }
        if let metadata { object["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var json = [UInt8](JSONValue.object(object).canonicalData())
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = [UInt8](repeating: 0, count: 8)
        let n = UInt64(json.count)
        for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
        return out + json
    }

    /// Writes `tensors` (in the given order) to `url` atomically.
    public static func write(_ tensors: [(name: String, tensor: TensorData)], metadata: [String: String]? = nil, to url: URL) throws -> Void {
        let head = try header(for: tensors.map { ($0.name, $0.tensor.dtype, $0.tensor.shape) }, metadata: metadata)
        let w = try AtomicFileWriter(destination: url)
        try w.write(head)
        for t in tensors { try w.write(t.tensor.bytes) }
        try w.commit()
    }
}

/// Errors reading or writing safetensors files.
public enum SafetensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    case io(String)
    case notSafetensors(path: String, reason: String)
    case invalidHeader(path: String, tensor: String, reason: String)
    case missingTensor(path: String, tensor: String)

    public var description: String {
        switch self {
        case let .io(m): return m
        case let .notSafetensors(path, reason): return "\(path) is not a safetensors file: \(reason)"
        case let .invalidHeader(path, tensor, reason): return "\(path): tensor \"\(tensor)\": \(reason)"
        case let .missingTensor(path, tensor): return "\(path) has no tensor named \"\(tensor)\""
        }
    }
}
