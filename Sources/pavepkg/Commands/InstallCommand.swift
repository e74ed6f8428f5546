import ArgumentParser
import PaveKit

/// `pavepkg install FILE... [--base SIG|MODEL] [--json]`
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Verify patches and add them to the local registry (PAVE_HOME, default ~/.pave).",
        discussion: """
            Every file is verified first, exactly as `pavepkg verify` does (structure, digest, every tensor hash, \
            patch semantics, every reference vector set, a composed file's members and stack vectors); a file that \
            fails is refused (exit status 1). All files are installed or none. \
            Tensors already in the store (e.g. an unchanged LoRA of an earlier version) are stored once. \
            With --base, each patch must be for that base: a signature file or model directory (full \
            compatibility check), a model name, or a structural signature (prefix of ≥ 8 hex digits).
            """)

    @Argument(help: "The .pave files to install.")
    var files: [String]

    @Option(help: "Refuse patches that are not for this base (SIG file, model directory, model name or signature).")
    var base: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let registry = try RegistryCLI.open()
            let results = try registry.install(paths: files, base: try RegistryCLI.base(base))
            if json { return try CLIOutput.printJSON(["installed": results]) }
            for r in results {
                let short = r.digest.prefix(19)
                if r.status == .alreadyInstalled {
                    print("\(r.name):\(r.version) (\(short)) already installed")
                } else {
                    print("installed \(r.name):\(r.version) (\(short)), \(ProgressLine.bytes(Int64(r.size))): "
                          + "\(r.newBlobs) new blobs (\(ProgressLine.bytes(Int64(r.newBytes)))), "
                          + "\(ProgressLine.bytes(Int64(r.reusedBytes))) already in the store")
                }
            }
        }
    }
}
