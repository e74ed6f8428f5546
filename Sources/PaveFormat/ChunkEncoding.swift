/// How one chunk's bytes are stored (spec §7).
public enum ChunkEncoding: UInt8, Sendable, Codable, CaseIterable {
    /// The raw bytes themselves.
    case raw = 0
    /// One zstd frame of the raw bytes.
    case zstd = 1
    /// One zstd frame of the byte-grouped raw bytes.
    case groupedZstd = 2
    /// One zstd frame of the sign-rotated, byte-grouped raw bytes.
    case rotatedGroupedZstd = 3

    /// Short name for tables and JSON.
    public var label: String {
        switch self {
        case .raw: return "raw"
        case .zstd: return "zstd"
        case .groupedZstd: return "grouped+zstd"
        case .rotatedGroupedZstd: return "rotated+grouped+zstd"
        }
    }

    /// The encoding pavepkg tries first for a dtype (a chunk that does not shrink is stored raw).
    public static func preferred(for dtype: DType) -> (encoding: ChunkEncoding, width: Int) {
        switch dtype {
        case .bf16, .f16: return (.rotatedGroupedZstd, 2)
        case .f32, .c64: return (.rotatedGroupedZstd, 4)
        case .f64: return (.rotatedGroupedZstd, 8)
        default: return (.zstd, 0)
        }
    }
}
