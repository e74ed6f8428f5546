import PaveFormat
import PaveModel

/// Stored reference vectors: making a set (from the user's inputs and expected outputs, or a self-check computed by
/// the executor from seeded inputs) and checking a patch against its sets (spec/patch-semantics.md §Reference vectors).
public enum ReferenceVectors {
    /// Name and tensor prefix of the self-check set.
    public static let selfCheckName = "self-check"
    /// Name of the set made from `--reference/--expected`.
    public static let userSetName = "reference"
    /// Default tolerances.
    public static let defaultTolerance = Tolerance.default
    /// How many LoRA modules a self-check set covers (the first ones in sorted order), and its rows.
    public static let selfCheckLoRAModules = 2
    public static let selfCheckLoRARows = 2

    /// The default tensor prefix of set `name`.
    public static func prefix(for name: String) -> String { "ref.\(name)." }

    /// A self-check set: seeded inputs of small but real shapes (`visual (2, 4, C_q)`, `side (3, H, W, C_in)` —
    /// two query frames over three side frames, so the uneven, masked split is exercised — with `H×W` from the
    /// side channel layout when it is at most 16 tokens (and square under RoPE), else 2×2 with RoPE, 1×1 without;
    /// `lora_x.<M> (2, in)` for the first two target modules), and the outputs the executor computes for them.
    public static func selfCheck(executor: PatchExecutor, seed: UInt64 = 0) throws -> (set: ReferenceVectorSet, tensors: [(name: String, tensor: TensorData)]) {
        let spec = executor.spec
        let p = prefix(for: selfCheckName)
        var rng = SeededRandom(seed: seed)
        var inputs: [String: TensorData] = [:]
        if let f = spec.fusion {
            var h = 1, w = 1
            if let l = spec.sideChannel?.layout, l.h * l.w <= 16, f.rope == .none || l.h == l.w { h = l.h; w = l.w }
            if f.rope == .threeD, h * w == 1 { h = 2; w = 2 }
            inputs[p + "visual"] = FloatTensor(unchecked: [2, 4, f.queryDim], rng.values(8 * f.queryDim)).tensorData()
            inputs[p + "side"] = FloatTensor(unchecked: [3, h, w, f.inputDim], rng.values(3 * h * w * f.inputDim)).tensorData()
        }
        let modules = Array((spec.lora?.targetModules ?? []).sorted().prefix(selfCheckLoRAModules))
        for m in modules {
            let a = try executor.loraAdapter(module: m)
            inputs[p + PatchSpec.ReferenceTensor.loraX(m)] = FloatTensor(unchecked: [selfCheckLoRARows, a.inFeatures], rng.values(selfCheckLoRARows * a.inFeatures)).tensorData()
        }
        let outputs = try executor.run(inputs: InMemoryTensors(inputs), prefix: p, loraModules: modules)
        var tensors = inputs.map { (name: $0.key, tensor: $0.value) }
        tensors += outputs.map { (name: p + $0.name, tensor: $0.tensor.tensorData()) }
        let set = ReferenceVectorSet(name: selfCheckName, tensorPrefix: p, loraModules: modules, atol: defaultTolerance.atol,
                                     rtol: defaultTolerance.rtol, source: "pavepkg self-check", seed: seed)
        return (set, tensors.sorted { $0.name < $1.name })
    }

    /// A set from the user's `inputs` (`visual`, `side`, `lora_x`, `lora_x.<M>`) and `expected` outputs
    /// (`fused`, `lora_delta.<M>`), stored under `prefix(for: name)`. LoRA modules are those with an expected delta.
    public static func userSet(name: String = userSetName, inputs: any TensorProvider, expected: any TensorProvider,
                               atol: Double = defaultTolerance.atol, rtol: Double = defaultTolerance.rtol,
                               chunkNum: Int? = nil, sideLength: Int? = nil) throws -> (set: ReferenceVectorSet, tensors: [(name: String, tensor: TensorData)]) {
        let p = prefix(for: name)
        var tensors: [(name: String, tensor: TensorData)] = []
        let inputNames: (String) -> Bool = { $0 == "visual" || $0 == "side" || $0 == "lora_x" || $0.hasPrefix("lora_x.") }
        for info in inputs.tensorInfos {
            guard inputNames(info.name) else { throw ReferenceVectorError.unexpectedTensor(name: info.name, file: "inputs", allowed: "visual, side, lora_x, lora_x.<module>") }
            tensors.append((p + info.name, try inputs.tensor(info.name)))
        }
        var modules: [String] = []
        for info in expected.tensorInfos {
            if info.name == "fused" {
            } else if info.name.hasPrefix("lora_delta.") {
                modules.append(String(info.name.dropFirst("lora_delta.".count)))
            } else {
                throw ReferenceVectorError.unexpectedTensor(name: info.name, file: "expected outputs", allowed: "fused, lora_delta.<module>")
            }
            tensors.append((p + info.name, try expected.tensor(info.name)))
        }
        let set = ReferenceVectorSet(name: name, tensorPrefix: p, chunkNum: chunkNum, sideLength: sideLength, loraModules: modules.sorted(),
                                     atol: atol, rtol: rtol, source: "user")
        return (set, tensors.sorted { $0.name < $1.name })
    }

    /// Runs set `set` through `executor` — a single patch or a stack — (inputs and expected outputs read from
    /// `tensors`) and compares.
    public static func check(_ set: ReferenceVectorSet, executor: some ReferenceSetRunner, tensors: any TensorProvider) throws -> ReferenceCheck {
        let p = set.tensorPrefix
        let hasFused = tensors.tensorInfo(p + PatchSpec.ReferenceTensor.fused) != nil
        let outputs = try executor.run(inputs: tensors, prefix: p, loraModules: set.loraModules, chunkNum: set.chunkNum,
                                       sideLength: set.sideLength, requireFused: hasFused)
        return try compare(outputs, with: set, expected: tensors)
    }

    /// Compares computed `outputs` (names relative to `set.tensorPrefix`, e.g. `fused`, `lora_delta.<M>`) with the
    /// expected tensors `set.tensorPrefix + name` in `expected`, each with
    /// ``compare(tensor:got:expected:atol:rtol:)`` and the set's tolerances. Used by every runner of a set
    /// (a single patch here, a stack in PaveCompose).
    public static func compare(_ outputs: [(name: String, tensor: FloatTensor)], with set: ReferenceVectorSet,
                               expected: any TensorProvider) throws -> ReferenceCheck {
        let p = set.tensorPrefix
        var results: [ReferenceCheck.Output] = []
        for (name, got) in outputs {
            let full = p + name
            guard expected.tensorInfo(full) != nil else { throw ReferenceVectorError.missingExpected(set: set.name, name: full) }
            let want = try FloatTensor(try expected.tensor(full), name: full)
            guard want.shape == got.shape else {
                throw ExecutorError.wrongShape(name: full, shape: want.shape, expected: Shape.describe(got.shape) + " (the computed output)")
            }
            results.append(compare(tensor: full, got: got, expected: want, atol: set.atol, rtol: set.rtol))
        }
        return ReferenceCheck(set: set.name, tensorPrefix: p, atol: set.atol, rtol: set.rtol, outputs: results)
    }

    /// Element-wise `|got − expected| ≤ atol + rtol·|expected|` (NaN never passes).
    public static func compare(tensor: String, got: FloatTensor, expected: FloatTensor, atol: Double, rtol: Double) -> ReferenceCheck.Output {
        var maxAbs = 0.0, maxRel = 0.0, worstExcess = -Double.infinity, worst = 0
        var failures = 0
        for i in got.values.indices {
            let g = Double(got.values[i]), e = Double(expected.values[i])
            let nan = g.isNaN || e.isNaN
            let diff = nan ? Double.infinity : abs(g - e)
            maxAbs = max(maxAbs, diff)
            if nan || e.isInfinite { maxRel = .infinity } else if abs(e) > 0 { maxRel = max(maxRel, diff / abs(e)) } else if diff > 0 { maxRel = .infinity }
            // NaN on either side never passes; an infinity only matches the same infinity.
            let excess: Double
            if g == e { excess = -(atol + rtol * abs(e)) } else if !g.isFinite || !e.isFinite { excess = .infinity } else { excess = diff - (atol + rtol * abs(e)) }
            if excess > 0 { failures += 1 }
            if excess > worstExcess { worstExcess = excess; worst = i }
        }
        var index: [Int] = [], rest = worst
        for d in got.shape.reversed() { index.insert(d > 0 ? rest % d : 0, at: 0); rest = d > 0 ? rest / d : 0 }
        let hasWorst = !got.values.isEmpty
        return .init(tensor: tensor, shape: got.shape, maxAbsError: maxAbs, maxRelError: maxRel, failures: failures,
                     worstIndex: index, worstGot: hasWorst ? Double(got.values[worst]) : 0, worstExpected: hasWorst ? Double(expected.values[worst]) : 0)
    }
}

/// The result of checking one reference vector set.
public struct ReferenceCheck: Sendable, Codable, Equatable {
    /// One compared output.
    public struct Output: Sendable, Codable, Equatable {
        public var tensor: String
        public var shape: [Int]
        /// Largest `|got − expected|` (∞ when a NaN appears on one side only… or both).
        public var maxAbsError: Double
        /// Largest `|got − expected| / |expected|` over elements with `expected ≠ 0`.
        public var maxRelError: Double
        /// Elements outside `atol + rtol·|expected|`.
        public var failures: Int
        /// The element furthest outside (or closest to) its tolerance.
        public var worstIndex: [Int]
        public var worstGot: Double
        public var worstExpected: Double
        public var passed: Bool { failures == 0 }

        enum CodingKeys: String, CodingKey {
            case tensor, shape, failures, passed
            case maxAbsError = "max_abs_error", maxRelError = "max_rel_error", worstIndex = "worst_index"
            case worstGot = "worst_got", worstExpected = "worst_expected"
        }

        public init(tensor: String, shape: [Int], maxAbsError: Double, maxRelError: Double, failures: Int,
                    worstIndex: [Int], worstGot: Double, worstExpected: Double) {
            self.tensor = tensor; self.shape = shape; self.maxAbsError = maxAbsError; self.maxRelError = maxRelError
            self.failures = failures; self.worstIndex = worstIndex; self.worstGot = worstGot; self.worstExpected = worstExpected
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tensor = try c.decode(String.self, forKey: .tensor); shape = try c.decode([Int].self, forKey: .shape)
            failures = try c.decode(Int.self, forKey: .failures); worstIndex = try c.decode([Int].self, forKey: .worstIndex)
            maxAbsError = try c.decodeIfPresent(Double.self, forKey: .maxAbsError) ?? .infinity
            maxRelError = try c.decodeIfPresent(Double.self, forKey: .maxRelError) ?? .infinity
            worstGot = try c.decodeIfPresent(Double.self, forKey: .worstGot) ?? .nan
            worstExpected = try c.decodeIfPresent(Double.self, forKey: .worstExpected) ?? .nan
        }

        /// Non-finite numbers (a NaN output, a relative error against 0) are written as `null`: JSON has no ∞.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(tensor, forKey: .tensor); try c.encode(shape, forKey: .shape)
            try c.encode(failures, forKey: .failures); try c.encode(passed, forKey: .passed); try c.encode(worstIndex, forKey: .worstIndex)
            for (v, k) in [(maxAbsError, CodingKeys.maxAbsError), (maxRelError, .maxRelError), (worstGot, .worstGot), (worstExpected, .worstExpected)] {
                if v.isFinite { try c.encode(v, forKey: k) } else { try c.encodeNil(forKey: k) }
            }
        }
    }
    public var set: String
    /// The set's tensor prefix (output names in ``outputs`` include it).
    public var tensorPrefix: String
    public var atol: Double
    public var rtol: Double
    public var outputs: [Output]
    public var passed: Bool { outputs.allSatisfy(\.passed) }

    enum CodingKeys: String, CodingKey { case set, atol, rtol, outputs, tensorPrefix = "tensor_prefix" }

    /// The failing output with the largest error, if any.
    public var worstFailure: Output? { outputs.filter { !$0.passed }.max { $0.maxAbsError < $1.maxAbsError } }

    /// The failure as an error (check category → exit 1), or `nil` when the set passed.
    public var error: ReferenceVectorError? { worstFailure.flatMap(error(for:)) }

    /// Output `output`'s failure as an error naming its worst element, or `nil` when it passed.
    public func error(for output: Output) -> ReferenceVectorError? {
        guard !output.passed else { return nil }
        return .mismatch(set: set, tensor: output.tensor, index: output.worstIndex, got: output.worstGot, expected: output.worstExpected,
                         atol: atol, rtol: rtol, failures: output.failures)
    }
}

/// Errors making or checking reference vectors.
public enum ReferenceVectorError: PaveError, Equatable {
    /// An output is outside its tolerance; the worst element is named.
    case mismatch(set: String, tensor: String, index: [Int], got: Double, expected: Double, atol: Double, rtol: Double, failures: Int)
    /// A set lacks the expected output for something it computes.
    case missingExpected(set: String, name: String)
    /// A `--reference` / `--expected` file holds a tensor that is not an input / output name.
    case unexpectedTensor(name: String, file: String, allowed: String)

    public var code: String {
        switch self {
        case .mismatch: return "reference.mismatch"
        case .missingExpected: return "reference.missing_expected"
        case .unexpectedTensor: return "reference.unexpected_tensor"
        }
    }

    public var category: PaveErrorCategory {
        if case .mismatch = self { return .checkFailed }
        return .invalidInput
    }

    public var description: String {
        switch self {
        case let .mismatch(set, tensor, index, got, expected, atol, rtol, failures):
            return "reference set \"\(set)\": \(tensor)\(Shape.describe(index)) = \(got), expected \(expected) (|diff| \(abs(got - expected)) > atol \(atol) + rtol \(rtol)·|expected|; \(failures) element\(failures == 1 ? "" : "s") out of tolerance)"
        case let .missingExpected(set, name):
            return "reference set \"\(set)\" has no expected output \"\(name)\""
        case let .unexpectedTensor(name, file, allowed):
            return "the \(file) file has a tensor \"\(name)\"; allowed names: \(allowed)"
        }
    }
}
