import Foundation
import PaveFormat

/// Reads the small files signing deals in — keys, signature bundles, trust policies — with an explicit size
/// bound, so a path that names a device or a huge file (`/dev/zero`, a model by mistake) is refused with a named
/// error instead of being read into memory.
enum SmallFile {
    /// Keys and policies are a few KiB; bundles of one file about 2 KiB. 1 MiB leaves room and bounds the rest.
    static let limit = 1 << 20

    /// The bytes of `url`, at most ``limit``; `what` names the file in messages ("the public key", …).
    static func read(_ url: URL, what: String) throws(SigningError) -> [UInt8] {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw SigningError(.io, "\(url.path): cannot read \(what) (\(error.localizedDescription))")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: limit + 1) ?? Data() } catch {
            throw SigningError(.io, "\(url.path): cannot read \(what) (\(error.localizedDescription))")
        }
        guard data.count <= limit else {
            throw SigningError(.tooLarge, "\(url.path): \(what) is larger than \(limit) bytes; is this the right file?")
        }
        return [UInt8](data)
    }

    /// The text of `url` as UTF-8, at most ``limit`` bytes.
    static func text(_ url: URL, what: String) throws(SigningError) -> String {
        let bytes = try read(url, what: what)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SigningError(.badKey, "\(url.path): \(what) is not UTF-8 text (expected PEM)")
        }
        return text
    }
}
