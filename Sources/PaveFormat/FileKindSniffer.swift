/// Says what a file that does not start with the `.pave` magic is instead (spec §9), so the error can name it.
enum FileKindSniffer {
    /// A description of the content, from its first bytes (`prefix`, up to 512) and total size.
    static func describe(prefix: [UInt8], fileSize: Int) -> String {
        if fileSize == 0 { return "an empty file (0 bytes)" }
        let text = String(decoding: prefix, as: UTF8.self)
        if text.hasPrefix("version https://git-lfs.github.com/spec/") {
            var detail = ""
            for line in text.split(separator: "\n") where line.hasPrefix("oid ") || line.hasPrefix("size ") { detail += " " + line }
            return "a git-LFS pointer file (\(fileSize) bytes:\(detail)); the real file was never downloaded — run `git lfs pull`"
        }
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        let lowered = body.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }).prefix(32).lowercased()
        if ["<!doctype html", "<html", "<?xml", "<head"].contains(where: { lowered.hasPrefix($0) }) {
            return "an HTML/XML page (\(fileSize) bytes), probably an error or login page saved instead of the file"
        }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) || prefix.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            let torch = fileSize < 1 << 40 && text.contains("data.pkl") ? " (looks like a PyTorch torch.save checkpoint; import it first)" : ""
            return "a zip archive\(torch)"
        }
        if prefix.count >= 2, prefix[0] == 0x80, (2...5).contains(prefix[1]) {
            return "a Python pickle (a legacy torch.save file?)"
        }
        if prefix.count >= 9, let n = ByteReader.u64(prefix, at: 0), n >= 2, n <= UInt64(SafetensorsFile.maxHeaderSize),
            n < UInt64(max(0, fileSize - 8)), prefix[8] == UInt8(ascii: "{")
        {
            return "a safetensors file; make a .pave from it with `pavepkg pack`"
        }
        if prefix.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "a bare zstd stream" }
        if prefix.starts(with: [0x1F, 0x8B]) { return "a gzip stream" }
        if prefix.starts(with: Array(PaveLimits.magic.prefix(5))) {
            return "a damaged .pave file (bytes 0 ..< 8 are \(Digest.hexString(prefix.prefix(8))), the magic is \(Digest.hexString(PaveLimits.magic)))"
        }
        return "unknown content (first bytes \(Digest.hexString(prefix.prefix(16))); a .pave starts with \(Digest.hexString(PaveLimits.magic)))"
    }
}
