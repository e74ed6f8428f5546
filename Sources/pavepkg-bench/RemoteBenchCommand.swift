import ArgumentParser
import Foundation

/// `remote`: push / pull through two loopback CNCF registries vs. `skopeo copy`, deduplication and resume.
struct RemoteBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remote", abstract: "Push / pull through loopback OCI registries vs. skopeo copy.")
    @Option(help: "Size of the small patch, MB.") var smallMb = 20
    @Option(help: "Size of the large patch, MB.") var largeMb = 340
    @Option(help: "Parent directory of the benchmark's files.") var dir: String?
    @Option(help: "A composed stack to push after its --member files.") var stack: String?
    @Option(help: "A member of --stack (repeat).") var member: [String] = []

    func validate() throws {
        guard smallMb >= 1, largeMb >= 1 else { throw ValidationError("--small-mb and --large-mb must be at least 1") }
    }

    func run() throws {
        try RemoteBench.run(smallMB: smallMb, largeMB: largeMb,
                            base: dir.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory,
                            stack: stack, members: member)
    }
}
