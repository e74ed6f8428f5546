import ArgumentParser
import Foundation
import PaveKit

/// `--base SIG.json|MODEL` (`verify`, `pack`): the base model a patch is checked against or recorded for.
struct BaseOption: ParsableArguments {
    @Option(name: .customLong("base"), help: ArgumentHelp(
        "Base model: a signature file from `pavepkg signature` or a model directory.", valueName: "SIG.json|MODEL"))
    var base: String?

    /// The library value (loaded by the library when needed).
    var source: BaseModelSource? { base.map { .location(URL(fileURLWithPath: $0)) } }
}

/// `pack --base SIG.json|MODEL [--pin-content]`: records the manifest's `base` section.
struct PackBaseOptions: ParsableArguments {
    @OptionGroup var baseOption: BaseOption

    @Flag(name: .customLong("pin-content"), help: "With --base MODEL: also pin the base's content fingerprint (reads the covered tensors' bytes). A signature file pins its fingerprint when it has one.")
    var pinContent = false
}
