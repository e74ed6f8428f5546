import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg presets [--json]`: the released PAVE model-arguments classes `pack --preset` accepts.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the released PAVE fusion configurations usable with `pack --preset`.",
        discussion: """
            Released checkpoints do not record the fusion module's heads and RoPE mode; PAVE's loader takes them \
            from the model-arguments class named at evaluation (--model-arg-name). These are those classes.
            """)

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            if json {
                CLIOutput.printJSON(.array(try FusionPreset.all.map { try $0.json() }))
                return
            }
            for p in FusionPreset.all {
                let f = p.fusion
                print(p.name)
                print("    input \(f.inputDim) → output \(f.outputDim), \(f.layers) layers, \(f.heads) heads, rope \(f.rope.rawValue); " +
                      "side channel: \(p.sideChannel.kind.rawValue) (\(p.sideChannel.encoder ?? "?")); \(p.usedFor)")
            }
        }
    }
}
