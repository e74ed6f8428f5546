/// Makes untrusted text safe to write to a terminal: every control character is shown as a `\u001b`-style
/// escape instead of being sent raw, so a patch's description, tags, tensor or member names cannot clear the
/// screen, retitle the terminal, move the cursor or overwrite an `ok` line.
///
/// Escaped: C0 controls U+0000–U+001F (except `\n` and `\t` when `keepLineBreaks` is set), DEL U+007F and the
/// C1 controls U+0080–U+009F (U+009B is a one-byte CSI on some terminals). `--json` output never goes through
/// here: JSON has its own exact escaping.
enum TerminalText {
    /// `text` with every control character replaced by `\uXXXX` (lowercase hex).
    static func escaped(_ text: String, keepLineBreaks: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepLineBreaks: keepLineBreaks) }) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if needsEscape(s, keepLineBreaks: keepLineBreaks) {
                let hex = String(s.value, radix: 16)
                out.append(contentsOf: "\\u\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)".unicodeScalars)
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    static func needsEscape(_ s: Unicode.Scalar, keepLineBreaks: Bool) -> Bool {
        switch s.value {
        case 0x0A, 0x09: return !keepLineBreaks
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return false
        }
    }
}

/// Every human-readable line of the CLI goes through this `print`, which shadows the standard library's inside
/// this module: the text is passed through ``TerminalText/escaped(_:keepLineBreaks:)`` before it reaches
/// stdout. JSON output is written with ``CLIOutput/printJSON(_:)`` and stays exact.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(TerminalText.escaped(text), terminator: terminator)
}
