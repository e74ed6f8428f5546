import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg push PATCH REGISTRY/REPO[:TAG] [--insecure] [--jobs N] [--json]`
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a patch to an OCI registry (GHCR, Docker Hub, Harbor, a CNCF registry …).",
        discussion: """
            PATCH is a .pave file (verified first) or an installed NAME[:VERSION]. The tag defaults to the patch \
            version. Each tensor region is its own blob: blobs the registry already has (an earlier version, the \
            members of a stack) are not sent again. Credentials come from Docker's config.json (`pavepkg login`). \
            Prints the manifest digest. Layout: spec/oci-artifact.md.
            """)

    @Argument(help: "A .pave file or an installed NAME[:VERSION].")
    var patch: String

    @Argument(help: ArgumentHelp("Where to push.", valueName: "REGISTRY/REPO[:TAG]"), transform: RemoteCLI.reference)
    var reference: RemoteReference

    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try RemoteCLI.run(json: remote.json) {
            let source: PushSource
            if PatchLocator.looksLikePath(patch) {
                source = try PushSource.file(patch, reader: PaveFileReader())
            } else {
                let registry = try RegistryCLI.open()
                source = try PushSource.installed(try registry.resolve(patch), registry: registry)
            }
            let pusher = PatchPusher(client: try remote.client(for: reference),
                                     hints: BlobLocationHints(home: StoreLayout.fromEnvironment().home), parallelism: remote.jobs)
            let progress = TransferProgress("push \(source.patch.reference)")
            let report = try pusher.push(source, to: reference, progress: progress.callback)
            progress.finish()
            if remote.json { return try CLIOutput.printJSON(report) }
            print("pushed \(report.name):\(report.version) to \(report.reference): \(report.uploaded) blobs uploaded "
                  + "(\(ProgressLine.bytes(Int64(report.bytesSent)))), \(report.existing) already there, \(report.mounted) mounted")
            print(report.digest)
        }
    }
}
