import PaveFormat
import PaveModel

/// The member tree of a composed file as `inspect` shows it (spec/composition.md §8).
public enum MemberTree {
    /// Text lines for `manifest`'s `members` section, `nil` when the file is not composed. Members whose
    /// records do not decode are shown as such (inspect never fails on them; `verify` does).
    public static func text(_ manifest: Manifest) -> String? {
        guard manifest[ComposeManifestKey.members] != nil else { return nil }
        guard let records = try? manifest.decode([MemberRecord].self, forKey: ComposeManifestKey.members) else {
            return "members: invalid section (see `pavepkg verify`)\n"
        }
        let merge = try? manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge)
        var loraState = "kept"
        if let merge { loraState = "merged \(merge.mode), rank \(merge.rank)" }
        var out = "members (\(records.count), lora: \(loraState))\n"
        let nameWidth = records.map(\.name.count).max() ?? 0
        let weights = records.map { "w=" + StackComposer.formatWeight($0.weight) }
        let weightWidth = weights.map(\.count).max() ?? 0
        for (i, r) in records.enumerated() {
            let last = i == records.count - 1
            let name = r.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let w = weights[i].padding(toLength: weightWidth, withPad: " ", startingAt: 0)
            out += "  \(last ? "└─" : "├─") \(name)  \(w)  side=\(r.sideName)  \(shortDigest(r.digest))  \(summary(r))\n"
            let indent = last ? "     " : "  │  "
            for v in r.via ?? [] { out += "\(indent)  via \(v.name) \(shortDigest(v.digest))\n" }
        }
        if let errors = merge?.relativeFrobeniusError, !errors.isEmpty {
            let worst = errors.max { $0.value < $1.value }
            if let worst { out += "  svd: worst relative Frobenius error \(String(format: "%.3g", worst.value)) (\(worst.key)) over \(errors.count) modules\n" }
        }
        return out
    }

    /// `pave-v5 1024→3584 (2 layers), lora r=64 (196 modules)`.
    static func summary(_ r: MemberRecord) -> String {
        guard let fields = r.manifest.objectValue else { return "" }
        let m = Manifest(fields: fields)
        var parts: [String] = []
        if let f = try? m.decode(FusionArchitecture.self, forKey: ManifestKey.fusion) {
            parts.append("\(f.type) \(f.inputDim)→\(f.outputDim) (\(f.layers) layer\(f.layers == 1 ? "" : "s"))")
        }
        if let l = try? m.decode(LoRAConfig.self, forKey: ManifestKey.lora) {
            parts.append("lora r=\(l.r) (\(l.targetModules.count) module\(l.targetModules.count == 1 ? "" : "s")\(r.lora == "merged" ? ", merged" : ""))")
        }
        return parts.joined(separator: ", ")
    }

    static func shortDigest(_ d: String) -> String {
        d.hasPrefix(Digest.algorithmPrefix) ? String(d.prefix(7 + 12)) + "…" : d
    }
}
