/// How the side frames are cut into one contiguous chunk per query frame (`split_list_lengths`,
/// PAVE_FORWARD §4.3).
public enum ChunkSplit {
    /// Chunk lengths for `sideFrames` side frames and `queryFrames` chunks: `avg = T_k / T_q`,
    /// `rem = T_k % T_q`, the first `rem` chunks get `avg + 1` frames (longer chunks first). When `T_k` is a
    /// multiple of `T_q` this is the even split. Chunks can be empty when `T_k < T_q`.
    public static func lengths(sideFrames: Int, queryFrames: Int) -> [Int] {
        guard queryFrames > 0 else { return [] }
        let avg = sideFrames / queryFrames, rem = sideFrames % queryFrames
        return (0..<queryFrames).map { $0 < rem ? avg + 1 : avg }
    }

    /// First side frame of each chunk (exclusive prefix sums of ``lengths(sideFrames:queryFrames:)``).
    public static func offsets(_ lengths: [Int]) -> [Int] {
        var out: [Int] = [], acc = 0
        out.reserveCapacity(lengths.count)
        for n in lengths { out.append(acc); acc += n }
        return out
    }
}
