import PaveCheckpoint
import PaveTorch
import Foundation
import PaveFormat
import PaveModel

/// Opens a file a user gave as a patch. A `.pave` opens as ``PaveFile``; a PAVE training checkpoint (a directory
/// or a `.zip` holding `non_lora_trainables.bin`) is named as such, with the way to turn it into a `.pave`,
/// instead of "not a .pave file".
public enum PatchOpener {
    /// The checkpoint file that marks a PAVE training output (the fusion module's weights).
    static let checkpointMarker = "non_lora_trainables.bin"

    /// Opens the `.pave` at `url`.
    /// - Throws: ``PatchInputError/checkpointNotPacked(path:detail:)`` for a PAVE checkpoint directory or zip;
    ///   otherwise the container's errors (``PaveFormatError/notPave(path:kind:)`` names what the file is).
    public static func open(_ url: URL, threads: Int = ParallelWork.defaultThreads) throws -> PaveFile {
        do {
            return try PaveFile.open(url, threads: threads)
        } catch {
            if let detail = checkpointDescription(url) { throw PatchInputError.checkpointNotPacked(path: url.path, detail: detail) }
            throw error
        }
    }

    /// What makes `url` a PAVE checkpoint (`"a zip archive holding …"`), or `nil` when it is not one.
    public static func checkpointDescription(_ url: URL) -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { return nil }
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            let found = names.contains(checkpointMarker) || names.contains { name in
                name.hasPrefix("checkpoint-") && FileManager.default.fileExists(atPath: url.appendingPathComponent(name).appendingPathComponent(checkpointMarker).path)
            }
            return found ? "a directory holding a PAVE training checkpoint (\(checkpointMarker))" : nil
        }
        guard let archive = try? ZipArchive(url: url) else { return nil }
        guard let entry = archive.entries.first(where: { $0.name == checkpointMarker || $0.name.hasSuffix("/" + checkpointMarker) }) else { return nil }
        return "a zip archive holding a PAVE training checkpoint (\(entry.name))"
    }
}

/// Why a file given as a patch cannot be opened as one.
public enum PatchInputError: PaveError, Equatable {
    /// The file is a PAVE training checkpoint, not a `.pave`.
    case checkpointNotPacked(path: String, detail: String)

    public var code: String {
        switch self {
        case .checkpointNotPacked: return "input.checkpoint_not_packed"
        }
    }

    public var category: PaveErrorCategory { .invalidInput }

    public var description: String {
        switch self {
        case let .checkpointNotPacked(path, detail):
            return "\(path) is not a .pave file: it is \(detail); make a .pave from it with `pavepkg pack`"
        }
    }
}
