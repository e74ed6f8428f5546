import PaveFormat

extension BaseCompatibility {
    /// Shapes by name of a provider's tensors (first one wins for a duplicated name, which containers refuse anyway).
    static func shapes(of tensors: some TensorProvider) -> [String: [Int]] {
        Dictionary(tensors.tensorInfos.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
    }

    /// ``check(manifest:tensorShapes:against:)-(_,_,BaseSignature)`` for a patch read through a
    /// ``TensorProvider`` (a `.pave` file, safetensors inputs); only tensor headers are looked at.
    public static func check(manifest: Manifest, tensors: some TensorProvider, against base: BaseSignature) -> [BaseMismatch] {
        check(manifest: manifest, tensorShapes: shapes(of: tensors), against: base)
    }

    /// ``check(manifest:tensorShapes:against:)-(_,_,BaseReference)`` for a patch read through a ``TensorProvider``.
    public static func check(manifest: Manifest, tensors: some TensorProvider, against base: BaseReference) -> [BaseMismatch] {
        check(manifest: manifest, tensorShapes: shapes(of: tensors), against: base)
    }

    /// The load-time guard for a patch read through a ``TensorProvider``: call it before applying the patch to
    /// `base`.
    ///
    /// - Throws: ``BaseCompatibilityError/incompatible(patch:base:declaredBase:mismatches:)`` with every mismatch.
    public static func require(manifest: Manifest, tensors: some TensorProvider, against base: BaseSignature) throws(BaseCompatibilityError) {
        try require(manifest: manifest, tensorShapes: shapes(of: tensors), against: base)
    }
}
