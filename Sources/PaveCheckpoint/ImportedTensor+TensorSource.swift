import PaveFormat
import PaveModel
import PaveTorch

/// An imported tensor is what ``PaveWriter`` / ``PackPlan`` stream into a `.pave`.
extension ImportedTensor: TensorSource {}
