/// How ``PaveWriter`` compresses. None of these change what the file holds, only how it is stored; the same
/// options give byte-identical files whatever `threads` is.
public struct PackOptions: Sendable {
    /// zstd level, 1 … 22 (default 3).
    public var level: Int
    /// Raw bytes per chunk: a multiple of 64 between 4 KiB and 64 MiB (default 1 MiB).
    public var chunkSize: Int
    /// Worker threads (default: active processors). Does not affect the output bytes.
    public var threads: Int
    /// Called from the writing thread after each batch of chunks with (raw bytes done, raw bytes in total).
    public var progress: (@Sendable (_ done: Int64, _ total: Int64) -> Void)?

    /// Options with the defaults of `pavepkg pack`.
    public init(level: Int = 3, chunkSize: Int = PaveLimits.defaultChunkSize, threads: Int = ParallelWork.defaultThreads,
                progress: (@Sendable (Int64, Int64) -> Void)? = nil) {
        self.level = level
        self.chunkSize = chunkSize
        self.threads = threads
        self.progress = progress
    }

    /// Throws ``PaveFormatError/invalidOption(option:reason:)`` for out-of-range values.
    public func validate() throws(PaveFormatError) {
        guard (1...22).contains(level) else { throw .invalidOption(option: "level", reason: "\(level) is not between 1 and 22") }
        guard chunkSize >= PaveLimits.minChunkSize, chunkSize <= PaveLimits.maxChunkSize, chunkSize % PaveLimits.alignment == 0 else {
            throw .invalidOption(option: "chunk size", reason: "\(chunkSize) is not a multiple of 64 between \(PaveLimits.minChunkSize) and \(PaveLimits.maxChunkSize)")
        }
        guard threads >= 1, threads <= 256 else { throw .invalidOption(option: "threads", reason: "\(threads) is not between 1 and 256") }
    }
}

/// What ``PaveWriter`` wrote.
public struct PackSummary: Sendable, Codable, Equatable {
    public var path: String
    /// `sha256:<64 hex>`.
    public var digest: String
    public var tensorCount: Int
    /// Sum of the tensors' raw sizes.
    public var rawBytes: Int
    /// Sum of the tensors' stored (compressed) sizes.
    public var storedBytes: Int
    /// Size of the whole file.
    public var fileBytes: Int
    /// Raw and stored bytes per dtype name.
    public var byDType: [String: ByteTotals]
}

/// Raw and stored byte counts.
public struct ByteTotals: Sendable, Codable, Equatable {
    public var raw: Int
    public var stored: Int
    public init(raw: Int = 0, stored: Int = 0) {
        self.raw = raw
        self.stored = stored
    }
    /// stored / raw (1 for empty).
    public var ratio: Double { raw == 0 ? 1 : Double(stored) / Double(raw) }
}
