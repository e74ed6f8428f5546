import Foundation
import PaveFormat

/// An installed patch served back from its blobs with random access: reads are mapped through the recipe's
/// segments onto the blob files (opened lazily), zero padding is synthesised. The bytes are identical to
/// the installed file, so the container opens it with the same digest.
public final class StoredPatchSource: @unchecked Sendable {
    /// Total size of the patch in bytes.
    public let size: Int
    /// The recipe it follows.
    public let recipe: PatchRecipe
    private let layout: StoreLayout
    private let starts: [Int]
    private let lock = NSLock()
    private var files: [Int: RandomAccessFile] = [:]

    init(recipe: PatchRecipe, layout: StoreLayout) throws(RegistryError) {
        try recipe.validate(path: layout.home.path)
        self.recipe = recipe
        self.layout = layout
        size = recipe.size
        starts = recipe.segments.map(\.offset)
    }

    private func file(forSegment i: Int, hex: String) throws -> RandomAccessFile {
        lock.lock()
        defer { lock.unlock() }
        if let f = files[i] { return f }
        let url = try layout.blobURL(hex)
        let f: RandomAccessFile
        do { f = try RandomAccessFile(url) } catch {
            throw RegistryError.corruptStore(path: url.path, reason: "blob of \(recipe.name):\(recipe.version) is missing (\(error))")
        }
        guard f.size == recipe.segments[i].length else {
            throw RegistryError.corruptStore(path: url.path, reason: "blob is \(f.size) bytes, the recipe of \(recipe.name):\(recipe.version) expects \(recipe.segments[i].length)")
        }
        files[i] = f
        return f
    }

    /// Reads exactly `count` bytes at `offset`.
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw RandomAccessFileError.truncated(path: "\(recipe.name):\(recipe.version)", offset: offset, wanted: count, available: max(0, size - max(0, offset)))
        }
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        // Last segment starting at or before `offset`.
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        var i = lo
        var pos = offset
        while pos < offset + count {
            let seg = recipe.segments[i]
            let inSeg = pos - seg.offset
            let n = min(seg.length - inSeg, offset + count - pos)
            if let hex = seg.blob {
                let bytes = try file(forSegment: i, hex: hex).read(at: inSeg, count: n)
                out.replaceSubrange((pos - offset)..<(pos - offset + n), with: bytes)
            }
            pos += n
            i += 1
        }
        return out
    }
}
