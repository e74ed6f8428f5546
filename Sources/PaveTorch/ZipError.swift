import PaveFormat

/// Why a zip archive (a released checkpoint `.zip`, or the zip container of a `torch.save` file) was refused.
public enum ZipError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Reading the file failed.
    case io(String)
    /// No valid end-of-central-directory record.
    case notZip(path: String, reason: String)
    /// A structure runs past the end of the file or into another structure.
    case truncated(path: String, offset: Int, what: String)
    /// A central-directory or local header is inconsistent.
    case invalidEntry(path: String, entry: String, reason: String)
    /// An entry name that could escape the extraction directory (`..`, absolute, drive letter, NUL, backslash).
    case unsafeName(path: String, entry: String, reason: String)
    /// Two entries with the same name.
    case duplicateEntry(path: String, entry: String)
    /// Two entries whose byte ranges overlap (a "zip bomb" trick or a damaged file).
    case overlappingEntries(path: String, first: String, second: String)
    /// Encryption, an unknown compression method, multi-disk archives.
    case unsupported(path: String, entry: String, reason: String)
    /// A size or count exceeds a safety limit.
    case limitExceeded(path: String, entry: String, what: String, limit: Int)
    /// A DEFLATE entry declares more than `limit` times its compressed size (a decompression bomb).
    case compressionRatio(path: String, entry: String, compressed: Int, uncompressed: Int, limit: Int)
    /// The entry's data does not match its CRC-32.
    case crcMismatch(path: String, entry: String, expected: UInt32, actual: UInt32)
    /// The DEFLATE stream is damaged.
    case corruptDeflate(path: String, entry: String, reason: String)
    /// No entry of that name.
    case missingEntry(path: String, entry: String)

    public var description: String {
        switch self {
        case let .io(m): return m
        case let .notZip(path, reason): return "\(path) is not a zip archive: \(reason)"
        case let .truncated(path, offset, what): return "\(path) is truncated or damaged: \(what) at byte offset \(offset) runs past its bounds"
        case let .invalidEntry(path, entry, reason): return "\(path): zip entry \"\(entry)\": \(reason)"
        case let .unsafeName(path, entry, reason): return "\(path): refusing zip entry \"\(entry)\": \(reason)"
        case let .duplicateEntry(path, entry): return "\(path): zip entry \"\(entry)\" appears more than once"
        case let .overlappingEntries(path, first, second): return "\(path): zip entries \"\(first)\" and \"\(second)\" overlap"
        case let .unsupported(path, entry, reason): return "\(path): zip entry \"\(entry)\": unsupported: \(reason)"
        case let .limitExceeded(path, entry, what, limit): return "\(path): zip entry \"\(entry)\": \(what) exceeds the limit of \(limit)"
        case let .compressionRatio(path, entry, compressed, uncompressed, limit):
            return "\(path): zip entry \"\(entry)\": \(compressed) compressed bytes declare \(uncompressed) uncompressed, more than the \(limit):1 ratio limit (a decompression bomb?)"
        case let .crcMismatch(path, entry, expected, actual):
            return "\(path): zip entry \"\(entry)\": CRC-32 mismatch (header says \(hex(expected)), data gives \(hex(actual)))"
        case let .corruptDeflate(path, entry, reason): return "\(path): zip entry \"\(entry)\": damaged DEFLATE data: \(reason)"
        case let .missingEntry(path, entry): return "\(path) has no entry \"\(entry)\""
        }
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}

extension ZipError: PaveError {
    public var code: String {
        switch self {
        case .io: return "zip.io"
        case .notZip: return "zip.not_zip"
        case .truncated: return "zip.truncated"
        case .invalidEntry: return "zip.invalid_entry"
        case .unsafeName: return "zip.unsafe_name"
        case .duplicateEntry: return "zip.duplicate_entry"
        case .overlappingEntries: return "zip.overlapping_entries"
        case .unsupported: return "zip.unsupported"
        case .limitExceeded: return "zip.limit_exceeded"
        case .compressionRatio: return "zip.compression_ratio"
        case .crcMismatch: return "zip.crc_mismatch"
        case .corruptDeflate: return "zip.corrupt_deflate"
        case .missingEntry: return "zip.missing_entry"
        }
    }
    public var category: PaveErrorCategory {
        if case .io = self { return .io }
        return .invalidInput
    }
}
