import Foundation

/// One tensor held in memory: its dtype, shape and raw little-endian row-major bytes.
public struct TensorData: Sendable, Equatable {
    public var dtype: DType
    public var shape: [Int]
    public var bytes: [UInt8]

    /// Creates a tensor, checking that `bytes` has exactly the length `dtype` and `shape` imply.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) throws(TensorDataError) {
        guard let n = Shape.elementCount(shape), let expected = dtype.byteCount(elementCount: n) else {
            throw .invalidShape(shape: shape, dtype: dtype)
        }
        guard bytes.count == expected else {
            throw .byteCountMismatch(shape: shape, dtype: dtype, expected: expected, actual: bytes.count)
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { Shape.elementCount(shape) ?? 0 }

    /// An F32 tensor from Float values.
    public static func f32(shape: [Int], _ values: [Float]) throws(TensorDataError) -> TensorData {
        var bytes = [UInt8](repeating: 0, count: values.count * 4)
        for (i, v) in values.enumerated() {
            let b = v.bitPattern.littleEndian
            bytes[4 * i] = UInt8(truncatingIfNeeded: b)
            bytes[4 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
            bytes[4 * i + 2] = UInt8(truncatingIfNeeded: b >> 16)
            bytes[4 * i + 3] = UInt8(truncatingIfNeeded: b >> 24)
        }
        return try TensorData(dtype: .f32, shape: shape, bytes: bytes)
    }
}

/// Why a ``TensorData`` could not be made.
public enum TensorDataError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidShape(shape: [Int], dtype: DType)
    case byteCountMismatch(shape: [Int], dtype: DType, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .invalidShape(shape, dtype):
            return "shape \(Shape.describe(shape)) is not valid for \(dtype.rawValue) (negative dimension, overflow, or not a whole number of bytes)"
        case let .byteCountMismatch(shape, dtype, expected, actual):
            return "a \(dtype.rawValue) tensor of shape \(Shape.describe(shape)) needs \(expected) bytes, got \(actual)"
        }
    }
}
