import PaveFormat

/// A row-major fp32 tensor: the executor's input and output type.
public struct FloatTensor: Sendable, Equatable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// `shape.product` values, row-major.
    public var values: [Float]

    /// Wraps `values`; `nil` when the count does not match `shape`.
    public init?(shape: [Int], values: [Float]) {
        guard let n = Shape.elementCount(shape), n == values.count else { return nil }
        self.shape = shape; self.values = values
    }

    /// Wraps values whose count the caller guarantees matches `shape`.
    init(unchecked shape: [Int], _ values: [Float]) {
        self.shape = shape; self.values = values
    }

    /// Converts a stored tensor (F32, F16 or BF16, little-endian) to fp32 with bit-level conversions.
    ///
    /// - Parameter name: the tensor's name, for the error message.
    /// - Throws: ``ExecutorError/unsupportedDType(name:dtype:)`` for other dtypes.
    public init(_ tensor: TensorData, name: String) throws(ExecutorError) {
        guard let values = FloatConversion.toFloat32(tensor.bytes, dtype: tensor.dtype, count: tensor.elementCount) else {
            throw .unsupportedDType(name: name, dtype: tensor.dtype)
        }
        self.shape = tensor.shape; self.values = values
    }

    /// The tensor as F32 `TensorData`.
    public func tensorData() -> TensorData {
        let bytes = FloatConversion.float32Bytes(values)
        // The byte count always matches: 4 bytes per value, shape checked at construction.
        return (try? TensorData(dtype: .f32, shape: shape, bytes: bytes)) ?? TensorData.emptyF32
    }
}

extension TensorData {
    static let emptyF32: TensorData = (try? TensorData(dtype: .f32, shape: [0], bytes: [])) ?? {
        preconditionFailure("an empty F32 tensor is always valid")
    }()
}
