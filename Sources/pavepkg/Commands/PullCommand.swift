import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg pull REGISTRY/REPO[:TAG|@DIGEST] [--base SIG|MODEL] [-o FILE] [--insecure] [--jobs N] [--json]`
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a patch from an OCI registry, verify it and install it (or write it with -o).",
        discussion: """
            The config blob is read first: with --base, a patch for another base is refused before any tensor \
            data is downloaded. Blobs already in the local store are not downloaded; an interrupted pull resumes \
            where it stopped (partial downloads are kept in PAVE_HOME/downloads). The file is verified like \
            `install` (hashes, semantics, reference vectors, base) and nothing is installed or written unless it \
            fully verifies.
            """)

    @Argument(help: ArgumentHelp("What to pull.", valueName: "REGISTRY/REPO[:TAG|@DIGEST]"), transform: RemoteCLI.reference)
    var reference: RemoteReference

    @Option(help: "Refuse a patch that is not for this base (SIG file, model directory, model name or signature).")
    var base: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the verified .pave file here instead of installing it.")
    var output: String?

    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try RemoteCLI.run(json: remote.json) {
            let registry = try RegistryCLI.open()
            let puller = PatchPuller(client: try remote.client(for: reference), parallelism: remote.jobs)
            let progress = TransferProgress("pull \(reference)")
            let report = try puller.pull(reference, into: registry, base: try RegistryCLI.base(base), output: output, progress: progress.callback)
            progress.finish()
            if remote.json { return try CLIOutput.printJSON(report) }
            let fetched = "\(ProgressLine.bytes(Int64(report.bytesDownloaded))) downloaded, \(ProgressLine.bytes(Int64(report.bytesReused))) reused"
            if let output = report.output {
                print("pulled \(report.name):\(report.version) (\(report.patchDigest.prefix(19))) to \(output): \(fetched)")
            } else if report.installed?.status == .alreadyInstalled {
                print("\(report.name):\(report.version) (\(report.patchDigest.prefix(19))) already installed; \(fetched)")
            } else {
                print("installed \(report.name):\(report.version) (\(report.patchDigest.prefix(19))) from \(report.reference): \(fetched)")
            }
        }
    }
}
