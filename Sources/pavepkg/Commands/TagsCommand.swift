import ArgumentParser
import PaveKit

/// `pavepkg tags REGISTRY/REPO [--insecure] [--json]`
struct TagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags", abstract: "List the tags (versions) of a repository in an OCI registry.")

    @Argument(help: ArgumentHelp("The repository.", valueName: "REGISTRY/REPO"), transform: RemoteCLI.reference)
    var repository: RemoteReference

    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try RemoteCLI.run(json: remote.json) {
            let tags = try remote.client(for: repository).tags(repository.repository)
            if remote.json { return CLIOutput.printJSON(JSONValue.object([
                "repository": .string("\(repository.registry)/\(repository.repository)"), "tags": .array(tags.map { .string($0) })])) }
            if tags.isEmpty { print("(no tags)") }
            for t in tags { print(t) }
        }
    }
}
