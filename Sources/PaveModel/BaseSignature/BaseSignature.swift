import Foundation
import PaveFormat

/// A base model's signature file (`SIG.json`, written by `pavepkg signature`): the canonical description,
/// its structural signature and, optionally, the content fingerprint. Carrying the whole description lets
/// `verify --base SIG.json` check every module's shape without the model at hand.
public struct BaseSignature: Sendable, Equatable {
    /// Value of the file's `format` member.
    public static let formatName = "pavepkg.base-signature"
    /// Largest signature file accepted.
    public static let maxFileSize = 64 << 20

    /// The model's name (hub id such as `lmms-lab/llava-onevision-qwen2-7b-ov`, or the directory name).
    public var name: String
    /// What the structural signature hashes.
    public var description: BaseDescription
    /// `"sha256:<64 hex>"` over the covered tensors' bytes, when computed (`--content`).
    public var contentFingerprint: String?

    /// `"sha256:<64 hex>"` of the canonical description.
    public var structuralSignature: String { description.structuralSignature }

    public init(name: String, description: BaseDescription, contentFingerprint: String? = nil) {
        self.name = name; self.description = description; self.contentFingerprint = contentFingerprint
    }

    /// Signs the model directory at `url`, reading only `config.json` and the safetensors headers, plus the
    /// covered tensors' bytes when `content` is set.
    ///
    /// - Parameters:
    ///   - name: recorded name; default: `_name_or_path` from `config.json` when it is a hub id
    ///     (`owner/name`), else the directory's name.
    ///   - content: also compute the content fingerprint (reads the covered tensors' bytes).
    ///   - threads: threads for the content hash.
    ///   - progress: bytes hashed so far (content only).
    /// - Throws: ``BaseSignatureError``.
    public static func compute(
        model url: URL, name: String? = nil, content: Bool = false, threads: Int = 2,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws(BaseSignatureError) -> BaseSignature {
        let model = try ModelDirectory(url)
        var fingerprint: String?
        if content { fingerprint = try ContentFingerprint.compute(model, threads: threads, progress: progress).fingerprint }
        return BaseSignature(name: name ?? defaultName(model), description: model.description, contentFingerprint: fingerprint)
    }

    /// Reads a signature file, or signs a model directory: whichever `url` is. `content` applies to a
    /// directory only.
    public static func load(signatureOrModel url: URL, content: Bool = false, threads: Int = 2) throws(BaseSignatureError) -> BaseSignature {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw .io(path: url.path, reason: "no such file or directory (expected a signature file or a model directory)")
        }
        if isDir.boolValue { return try compute(model: url, content: content, threads: threads) }
        return try BaseSignature(contentsOf: url)
    }

    /// The name recorded by default: `_name_or_path` from `config.json` when it is a hub id (`owner/name`),
    /// else the directory's name.
    public static func defaultName(_ model: ModelDirectory) -> String {
        if let n = model.config["_name_or_path"]?.stringValue, isHubID(n) { return n }
        return model.url.standardizedFileURL.lastPathComponent
    }

    /// `owner/name` with no leading `/`, `.` or `~` and exactly one `/`.
    public static func isHubID(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !s.hasPrefix(".") && !s.hasPrefix("~") && !s.contains(" ")
    }

    // MARK: File form

    /// Bytes of the covered tensors (saturating: a description read from a file may declare absurd shapes).
    public var coveredByteCount: Int {
        var total = 0
        for t in description.tensors {
            let bytes = t.dtype.byteCount(elementCount: Shape.elementCount(t.shape) ?? Int.max) ?? Int.max
            let (sum, overflow) = total.addingReportingOverflow(bytes)
            total = overflow ? Int.max : sum
        }
        return total
    }

    /// The signature file's JSON.
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "format": .string(Self.formatName), "version": 1, "name": .string(name),
            "structural_signature": .string(structuralSignature), "description": description.jsonValue,
            "summary": .object([
                "tensors": .int(Int64(description.tensors.count)),
                "layers": .int(Int64(description.architecture.numHiddenLayers)),
                "covered_bytes": .int(Int64(coveredByteCount)),
            ]),
        ]
        if let contentFingerprint { o["content_fingerprint"] = .string(contentFingerprint) }
        return .object(o)
    }

    /// Writes the signature file (indented, sorted keys, trailing newline) atomically.
    public func write(to url: URL) throws(AtomicFileError) {
        var data = jsonValue.prettyData()
        data.append(0x0A)
        try AtomicFileWriter.write(data, to: url)
    }

    /// Reads and checks a signature file: the recorded `structural_signature` must be the hash of the
    /// `description` it carries.
    public init(contentsOf url: URL) throws(BaseSignatureError) {
        let path = url.path
        let json: JSONValue
        do { json = try ModelDirectory.readJSON(url) } catch {
            if case let .invalidConfig(_, reason) = error { throw .invalidSignatureFile(path: path, reason: reason) }
            throw error
        }
        try self.init(json: json, path: path)
    }

    /// Parses a signature file's JSON (see ``init(contentsOf:)``).
    public init(json: JSONValue, path: String) throws(BaseSignatureError) {
        guard json["format"]?.stringValue == Self.formatName else {
            throw .invalidSignatureFile(path: path, reason: "\"format\" is not \"\(Self.formatName)\"")
        }
        guard json["version"]?.intValue == 1 else { throw .invalidSignatureFile(path: path, reason: "unsupported \"version\" (this pavepkg reads 1)") }
        guard let name = json["name"]?.stringValue else { throw .invalidSignatureFile(path: path, reason: "missing \"name\"") }
        guard let recorded = json["structural_signature"]?.stringValue else { throw .invalidSignatureFile(path: path, reason: "missing \"structural_signature\"") }
        guard let d = json["description"] else { throw .invalidSignatureFile(path: path, reason: "missing \"description\"") }
        let description = try BaseDescription(json: d, path: path)
        guard description.structuralSignature == recorded else {
            throw .signatureDigestMismatch(path: path, recorded: recorded, computed: description.structuralSignature)
        }
        var content: String?
        if let c = json["content_fingerprint"], c != .null {
            guard let s = c.stringValue, BaseReference.isDigest(s) else {
                throw .invalidSignatureFile(path: path, reason: "\"content_fingerprint\" must be \"sha256:\" and 64 lowercase hex digits")
            }
            content = s
        }
        self.init(name: name, description: description, contentFingerprint: content)
    }
}

extension BaseDescription {
    /// Parses a description object (as ``jsonValue`` writes it).
    public init(json: JSONValue, path: String) throws(BaseSignatureError) {
        guard json["format"]?.stringValue == Self.formatName, json["version"]?.intValue == Self.currentVersion else {
            throw .invalidSignatureFile(path: path, reason: "description is not a \(Self.formatName) version \(Self.currentVersion)")
        }
        guard let archJSON = json["architecture"], let tensorList = json["tensors"]?.arrayValue else {
            throw .invalidSignatureFile(path: path, reason: "description lacks \"architecture\" or \"tensors\"")
        }
        let architecture: BaseArchitecture
        do { architecture = try archJSON.decode(BaseArchitecture.self) } catch {
            throw .invalidSignatureFile(path: path, reason: "description.architecture: \(error)")
        }
        var tensors: [Tensor] = []
        for (i, t) in tensorList.enumerated() {
            guard let name = t["name"]?.stringValue, let dtypeName = t["dtype"]?.stringValue, let dtype = DType(rawValue: dtypeName),
                let dims = t["shape"]?.arrayValue, dims.allSatisfy({ ($0.intValue ?? -1) >= 0 })
            else { throw .invalidSignatureFile(path: path, reason: "description.tensors[\(i)] needs a name, a known dtype and a shape of non-negative integers") }
            tensors.append(Tensor(name: name, dtype: dtype, shape: dims.compactMap(\.intValue)))
        }
        self.init(architecture: architecture, tensors: tensors)
    }
}
