import ArgumentParser
import Foundation
import PaveKit

/// Options every registry command shares.
struct RemoteOptions: ParsableArguments {
    @Flag(help: "Use plain HTTP even for a registry that is not localhost/127.0.0.1.")
    var insecure = false

    @Option(name: .customLong("jobs"), help: "Blob transfers at once.")
    var jobs = 4

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// A client for `reference`'s registry, with Docker's stored credentials for it.
    func client(for reference: RemoteReference) throws -> RegistryClient {
        try RegistryClient.forReference(reference, insecure: insecure, credentials: .fromEnvironment())
    }
}

/// A library ``RemoteError`` with the command-line advice the library may not give (it never names commands).
struct RemoteCLIError: PaveError {
    let underlying: RemoteError
    var code: String { underlying.code }
    var category: PaveErrorCategory { underlying.category }
    var description: String {
        switch underlying {
        case let .unauthorized(registry, _, _):
            return "\(underlying); run `pavepkg login \(registry)`"
        case let .manifestUnknown(registry, repository, _, _):
            return "\(underlying); see `pavepkg tags \(registry)/\(repository)`"
        case .network:
            return "\(underlying); for a plain-HTTP registry that is not localhost, add --insecure"
        default:
            return underlying.description
        }
    }
}

enum RemoteCLI {
    /// Parses a `REGISTRY/REPOSITORY[:TAG|@DIGEST]` argument.
    static func reference(_ text: String) throws -> RemoteReference { try RemoteReference(parsing: text) }

    /// Runs a registry command body: errors reported as by ``runReportingErrors(json:_:)``, with CLI advice
    /// added to remote errors.
    static func run(json: Bool, _ body: () throws -> Void) throws {
        try runReportingErrors(json: json) {
            do { try body() } catch let e as RemoteError { throw RemoteCLIError(underlying: e) }
        }
    }
}

/// Byte progress on stderr, reported from several transfer threads.
final class TransferProgress: @unchecked Sendable {  // unchecked: `line` used behind `lock`
    private let lock = NSLock()
    private let line: ProgressLine

    init(_ label: String) { line = ProgressLine(label, total: 0) }

    var callback: @Sendable (Int, Int) -> Void {
        { [self] done, total in
            lock.lock(); line.update(Int64(done), total: Int64(total)); lock.unlock()
        }
    }

    func finish() { lock.lock(); line.finish(); lock.unlock() }
}
