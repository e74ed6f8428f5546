/// Everything that can go wrong reading, checking or writing a `.pave` file.
///
/// Each case names the file, the section / tensor / chunk / field and, for damage, the absolute byte offset,
/// plus what was expected (`spec/pave-format-v1.md` gives the rules). ``code`` is stable for `--json` output.
public enum PaveFormatError: PaveError, Equatable {
    /// The file is something else (a git-LFS pointer, HTML page, zip, safetensors, …).
    case notPave(path: String, kind: String)
    /// The file ends before a section it declares.
    case truncated(path: String, what: String, offset: Int, needed: Int, fileSize: Int)
    /// The header's major version is not one this reader knows.
    case unsupportedVersion(path: String, major: Int, minor: Int)
    /// A header field is wrong.
    case invalidHeader(path: String, field: String, offset: Int, reason: String)
    /// A value exceeds a limit of spec §10.
    case limitExceeded(path: String, field: String, offset: Int, value: Int, limit: Int)
    /// The manifest is not a valid JSON object or a field is wrong.
    case invalidManifest(path: String, offset: Int, reason: String)
    /// An index entry is wrong (`tensor` is empty before the name was read).
    case invalidIndex(path: String, tensor: String, field: String, offset: Int, reason: String)
    /// A layout record is wrong (`chunk` is nil for the tensor record itself).
    case invalidLayout(path: String, tensor: String, chunk: Int?, field: String, offset: Int, reason: String)
    /// A chunk's stored bytes do not decode as their record says.
    case invalidChunk(path: String, tensor: String, chunk: Int, offset: Int, reason: String)
    /// A chunk's zstd frame declares, or would decode to, more bytes than the chunk's recorded `raw_length`
    /// (spec §7, §10): refused before anything past `raw_length` is written. `size` is the declared content size,
    /// or nil when the frame declared the right size but its blocks decode to more.
    case chunkTooLarge(path: String, tensor: String, chunk: Int, offset: Int, size: UInt64?, rawLength: Int)
    /// A tensor's decoded bytes do not have the SHA-256 the index records.
    case hashMismatch(path: String, tensor: String, offset: Int, expected: String, actual: String)
    /// The header's patch digest differs from the one computed over manifest and index.
    case digestMismatch(path: String, expected: String, actual: String)
    /// A padding byte is not zero.
    case nonZeroPadding(path: String, offset: Int, after: String)
    /// No tensor has this name.
    case missingTensor(path: String, tensor: String)
    /// A tensor name breaks the naming rules (spec §5.1) or is a duplicate.
    case invalidName(name: String, reason: String)
    /// A patch name (manifest `name`) breaks ``PatchNameRule``.
    case invalidPatchName(name: String, reason: String)
    /// Something given to the writer is wrong (shape, dtype, size, option).
    case invalidInput(tensor: String, reason: String)
    /// A writer option is out of range.
    case invalidOption(option: String, reason: String)
    /// A tensor source failed to deliver its bytes.
    case sourceFailed(tensor: String, reason: String)
    /// Reading or writing failed at the system level.
    case io(path: String, reason: String)

    public var code: String {
        switch self {
        case .notPave: return "format.not_pave"
        case .truncated: return "format.truncated"
        case .unsupportedVersion: return "format.unsupported_version"
        case .invalidHeader: return "format.header"
        case .limitExceeded: return "format.limit"
        case .invalidManifest: return "format.manifest"
        case .invalidIndex: return "format.index"
        case .invalidLayout: return "format.layout"
        case .invalidChunk: return "format.chunk"
        case .chunkTooLarge: return "format.chunk_too_large"
        case .hashMismatch: return "format.hash_mismatch"
        case .digestMismatch: return "format.digest_mismatch"
        case .nonZeroPadding: return "format.padding"
        case .missingTensor: return "format.missing_tensor"
        case .invalidName: return "format.name"
        case .invalidPatchName: return "format.patch_name"
        case .invalidInput: return "format.input"
        case .invalidOption: return "format.option"
        case .sourceFailed: return "format.source"
        case .io: return "format.io"
        }
    }

    public var category: PaveErrorCategory {
        switch self {
        case .io, .sourceFailed: return .io
        case .invalidOption: return .usage
        default: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case let .notPave(path, kind):
            return "\(path) is not a .pave file: it is \(kind)"
        case let .truncated(path, what, offset, needed, size):
            return "\(path) is truncated: \(what) needs \(needed) bytes at byte offset \(offset), but the file has \(size) bytes"
        case let .unsupportedVersion(path, major, minor):
            return "\(path) is .pave format version \(major).\(minor); this reader supports major version 1 (1.0 and newer 1.x) only — update pavepkg"
        case let .invalidHeader(path, field, offset, reason):
            return "\(path): header field \(field) at byte offset \(offset): \(reason)"
        case let .limitExceeded(path, field, offset, value, limit):
            return "\(path): \(field) at byte offset \(offset) is \(value), over the limit of \(limit)"
        case let .invalidManifest(path, offset, reason):
            return "\(path): manifest at byte offset \(offset): \(reason)"
        case let .invalidIndex(path, tensor, field, offset, reason):
            let t = tensor.isEmpty ? "" : "tensor \"\(tensor)\": "
            return "\(path): index: \(t)field \(field) at byte offset \(offset): \(reason)"
        case let .invalidLayout(path, tensor, chunk, field, offset, reason):
            let c = chunk.map { " chunk \($0)" } ?? ""
            return "\(path): layout: tensor \"\(tensor)\"\(c): field \(field) at byte offset \(offset): \(reason)"
        case let .invalidChunk(path, tensor, chunk, offset, reason):
            return "\(path): tensor \"\(tensor)\" chunk \(chunk) at byte offset \(offset): \(reason)"
        case let .chunkTooLarge(path, tensor, chunk, offset, size, rawLength):
            let what = size.map { "declares \($0) content bytes" } ?? "decodes to more bytes than it declares"
            return "\(path): tensor \"\(tensor)\" chunk \(chunk) at byte offset \(offset): its zstd frame \(what), over the chunk's raw_length of \(rawLength) (refused before decoding past it)"
        case let .hashMismatch(path, tensor, offset, expected, actual):
            return "\(path): tensor \"\(tensor)\" (data at byte offset \(offset)) is damaged: SHA-256 of its bytes is \(actual), the index records \(expected)"
        case let .digestMismatch(path, expected, actual):
            return "\(path): patch digest mismatch: the header records \(expected) but the manifest and index hash to \(actual) (manifest or index damaged)"
        case let .nonZeroPadding(path, offset, after):
            return "\(path): padding byte at byte offset \(offset) (after \(after)) is not zero"
        case let .missingTensor(path, tensor):
            return "\(path) has no tensor named \"\(tensor)\""
        case let .invalidName(name, reason):
            return "tensor name \"\(name)\": \(reason)"
        case let .invalidPatchName(name, reason):
            let shown = name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
            return "invalid patch name \"\(shown)\": \(reason)"
        case let .invalidInput(tensor, reason):
            return "tensor \"\(tensor)\": \(reason)"
        case let .invalidOption(option, reason):
            return "option \(option): \(reason)"
        case let .sourceFailed(tensor, reason):
            return "cannot read tensor \"\(tensor)\": \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
