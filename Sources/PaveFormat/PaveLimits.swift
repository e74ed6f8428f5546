/// The constants and limits of `.pave` format version 1 (`spec/pave-format-v1.md` §3, §10).
public enum PaveLimits {
    /// `\x89 P A V E \r \n \x1A`.
    public static let magic: [UInt8] = [0x89, 0x50, 0x41, 0x56, 0x45, 0x0D, 0x0A, 0x1A]
    /// The major version this library reads and writes.
    public static let major = 1
    /// The minor version this library writes.
    public static let minor = 0
    /// Header size written by 1.0.
    public static let headerLength = 128
    /// Largest header a reader accepts (newer minors may grow it).
    public static let maxHeaderLength = 4096
    /// Alignment of every section, tensor region and chunk.
    public static let alignment = 64
    // Limits of spec §10.
    public static let maxManifestLength = 16 << 20
    public static let maxIndexLength = 256 << 20
    public static let maxLayoutLength = 1 << 30
    public static let maxTensorCount = 1 << 20
    public static let maxNameLength = 1024
    public static let maxRank = 16
    public static let maxDimension = 1 << 62
    /// Sum of all tensors' raw sizes.
    public static let maxTotalRawBytes = 1 << 40
    public static let minChunkSize = 4096
    public static let maxChunkSize = 64 << 20
    public static let defaultChunkSize = 1 << 20
    public static let maxChunkCount = 1 << 26
    /// A zstd frame may be at most this much larger than its raw content.
    public static let maxFrameOverhead = 4096
    /// Largest zstd window log a decoder accepts.
    public static let maxWindowLog: Int32 = 27
    /// Prefix of the patch digest input.
    public static let digestDomain: [UInt8] = Array("pave-digest-v1\n".utf8)

    /// `align64(x)`, or nil on overflow.
    @inlinable public static func align(_ x: Int) -> Int? {
        let (s, o) = x.addingReportingOverflow(alignment - 1)
        return o ? nil : s & ~(alignment - 1)
    }

    /// Checks a tensor name against spec §5.1; returns the reason it is invalid, or nil.
    public static func nameProblem(_ name: String) -> String? {
        let n = name.utf8.count
        if n == 0 { return "is empty" }
        if n > maxNameLength { return "is \(n) bytes long, over the limit of \(maxNameLength)" }
        if name.hasPrefix("__") { return "names starting with \"__\" are reserved" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        return nil
    }
}
