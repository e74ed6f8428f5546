import PaveFormat
import PaveModel

/// The semantic and numerical part of `pavepkg verify`: the tensors against the declared patch semantics, then
/// every stored reference vector set through the executor.
public struct PatchVerification: Sendable {
    /// Whether the manifest declares a PAVE patch at all (nothing else is checked when it does not).
    public var isPAVEPatch: Bool
    /// A manifest section that does not parse or is inconsistent, or tensors that do not match it.
    public var semanticsError: PatchSemanticsError?
    /// One result per stored reference vector set, in manifest order.
    public var referenceChecks: [ReferenceCheck]
    /// Sets that could not be run (missing inputs, shapes that do not fit, …), by set name.
    public var referenceErrors: [(set: String, error: any PaveError)]

    /// Everything passed.
    public var passed: Bool { semanticsError == nil && referenceErrors.isEmpty && referenceChecks.allSatisfy(\.passed) }

    /// Every failure as an error, semantics first, then sets in manifest order (a set that failed numerically gives
    /// ``ReferenceVectorError/mismatch(set:tensor:index:got:expected:atol:rtol:failures:)`` naming the worst element).
    public var errors: [any PaveError] {
        var e: [any PaveError] = []
        if let semanticsError { e.append(semanticsError) }
        e += referenceErrors.map(\.error)
        e += referenceChecks.compactMap(\.error)
        return e
    }

    /// Checks `tensors` against `manifest`'s patch semantics and runs every reference vector set.
    public static func verify(manifest: Manifest, tensors: any TensorProvider, threads: Int? = nil) -> PatchVerification {
        var result = PatchVerification(isPAVEPatch: false, semanticsError: nil, referenceChecks: [], referenceErrors: [])
        let spec: PatchSpec
        do { spec = try PatchSpec(manifest: manifest) } catch {
            result.isPAVEPatch = true
            result.semanticsError = error
            return result
        }
        result.isPAVEPatch = spec.isPAVEPatch
        guard spec.isPAVEPatch else { return result }
        do { try spec.validate(tensors.tensorInfos) } catch {
            result.semanticsError = error
            return result
        }
        let executor: PatchExecutor
        do { executor = try PatchExecutor(spec: spec, tensors: tensors, threads: threads) } catch {
            result.referenceErrors = spec.referenceVectors.map { ($0.name, Self.paveError(error)) }
            return result
        }
        for set in spec.referenceVectors {
            do { result.referenceChecks.append(try ReferenceVectors.check(set, executor: executor, tensors: tensors)) } catch {
                result.referenceErrors.append((set.name, Self.paveError(error)))
            }
        }
        return result
    }

    static func paveError(_ error: any Error) -> any PaveError {
        (error as? any PaveError) ?? ExecutorError.read(name: "(patch)", message: "\(error)")
    }
}
