/// Parsing of the stacking options shared by `run` and `compose`.
public enum StackArguments {
    /// `--weight NAME=W` → (NAME, W); W is any finite decimal number (split at the last `=`).
    public static func weight(_ text: String) throws(ComposeError) -> (key: String, weight: Double) {
        guard let eq = text.lastIndex(of: "="), eq != text.startIndex,
              let w = Double(text[text.index(after: eq)...]) else {
            throw .invalidOption(option: "--weight", value: text, expected: "NAME=W with a number W, e.g. audio=0.5 (NAME: a patch or member name, or #k for the k-th file)")
        }
        guard w.isFinite else { throw .nonFiniteWeight(member: String(text[..<eq]), weight: w) }
        return (String(text[..<eq]), w)
    }

    /// `--rename KEY=NEW` → (KEY, NEW) (split at the first `=`).
    public static func rename(_ text: String) throws(ComposeError) -> (key: String, newName: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex, text.index(after: eq) != text.endIndex else {
            throw .invalidOption(option: "--rename", value: text, expected: "KEY=NEW, KEY a member name or #k (k-th member, 1-based)")
        }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }
}
