import Foundation

/// A tensor the writer can stream: its name, dtype and shape, and its raw little-endian row-major bytes read
/// piece by piece (the writer never asks for more than one chunk at a time).
public protocol TensorSource: Sendable {
    var name: String { get }
    var dtype: DType { get }
    var shape: [Int] { get }
    /// Returns `count` raw bytes starting `offset` bytes into the tensor.
    func read(offset: Int, count: Int) throws -> [UInt8]
    /// Fills `buffer` with the raw bytes starting `offset` bytes into the tensor. Implement it to save a copy;
    /// the default calls ``read(offset:count:)``.
    func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws
}

extension TensorSource {
    public func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        let bytes = try read(offset: offset, count: buffer.count)
        guard bytes.count == buffer.count else {
            throw PaveFormatError.sourceFailed(tensor: name, reason: "asked for \(buffer.count) bytes at \(offset), got \(bytes.count)")
        }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
    }

    /// Raw byte length implied by dtype and shape, or nil when the shape is invalid.
    public var byteCount: Int? { Shape.elementCount(shape).flatMap { dtype.byteCount(elementCount: $0) } }
}

/// A tensor held in memory.
public struct InMemoryTensorSource: TensorSource {
    public let name: String
    public let tensor: TensorData
    public var dtype: DType { tensor.dtype }
    public var shape: [Int] { tensor.shape }

    public init(name: String, tensor: TensorData) {
        self.name = name
        self.tensor = tensor
    }

    public func read(offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= tensor.bytes.count, count <= tensor.bytes.count - offset else {
            throw PaveFormatError.sourceFailed(tensor: name, reason: "read of \(count) bytes at \(offset) is outside its \(tensor.bytes.count) bytes")
        }
        return Array(tensor.bytes[offset..<offset + count])
    }
}

/// One tensor of a safetensors file, read on demand.
public struct SafetensorsTensorSource: TensorSource {
    public let file: SafetensorsFile
    /// Name inside the safetensors file.
    public let sourceName: String
    /// Name in the `.pave` (defaults to `sourceName`).
    public let name: String
    public let dtype: DType
    public let shape: [Int]

    /// - Throws: ``SafetensorsError/missingTensor(path:tensor:)`` when the file has no such tensor.
    public init(file: SafetensorsFile, name: String, renamedTo newName: String? = nil) throws {
        guard let e = file.entry(name) else { throw SafetensorsError.missingTensor(path: file.url.path, tensor: name) }
        self.file = file
        sourceName = name
        self.name = newName ?? name
        dtype = e.dtype
        shape = e.shape
    }

    public func read(offset: Int, count: Int) throws -> [UInt8] {
        try file.readBytes(of: sourceName, offset: offset, count: count)
    }

    public func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        try file.readBytes(of: sourceName, offset: offset, into: buffer)
    }

    /// Every tensor of `file`, in the file's data order.
    public static func all(in file: SafetensorsFile) throws -> [SafetensorsTensorSource] {
        try file.entries.map { try SafetensorsTensorSource(file: file, name: $0.name) }
    }
}

/// One tensor of an open `.pave` file, streamed chunk by chunk (repacking, composing, registry export).
public struct PaveTensorSource: TensorSource {
    public let file: PaveFile
    public let entry: PaveTensorEntry
    public let name: String
    public var dtype: DType { entry.dtype }
    public var shape: [Int] { entry.shape }

    public init(file: PaveFile, name: String, renamedTo newName: String? = nil) throws {
        guard let e = file.entry(name) else { throw PaveFormatError.missingTensor(path: file.path, tensor: name) }
        self.file = file
        entry = e
        self.name = newName ?? name
    }

    public func read(offset: Int, count: Int) throws -> [UInt8] {
        try file.readBytes(of: entry, offset: offset, count: count)
    }
}
