import ArgumentParser
import Foundation
import PaveKit

#if canImport(Glibc)
import Glibc
#endif

/// Shared output helpers for every subcommand: JSON to stdout, messages to stderr, error → exit status.
enum CLIOutput {
    /// Writes a JSON value (pretty, sorted keys) and a newline to stdout.
    static func printJSON(_ value: JSONValue) {
        FileHandle.standardOutput.write(value.prettyData())
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Writes an Encodable as JSON to stdout.
    static func printJSON(_ value: some Encodable) throws {
        printJSON(try JSONValue.from(value))
    }

    /// Writes a line to stderr, control characters escaped (``TerminalText``).
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data((TerminalText.escaped(message) + "\n").utf8))
    }

    /// Whether stderr is a terminal (progress is shown only then).
    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// Exit status for an error: 1 for invalid input or a failed check, 2 for usage and I/O.
    static func exitCode(for error: Error) -> Int32 {
        if let e = error as? PaveError {
            switch e.category {
            case .invalidInput, .checkFailed: return 1
            case .usage, .io: return 2
            }
        }
        return 2
    }

    /// Reports `error` (as text on stderr, or as `{"error": {...}}` on stdout with `--json`) and returns the
    /// ExitCode to throw.
    static func fail(_ error: Error, json: Bool) -> ExitCode {
        let status = exitCode(for: error)
        let message = String(describing: error)
        if json {
            var obj: [String: JSONValue] = ["message": .string(message)]
            if let e = error as? PaveError {
                obj["code"] = .string(e.code)
                obj["category"] = .string(e.category.rawValue)
            }
            printJSON(.object(["error": .object(obj)]))
        } else {
            warn("error: \(message)")
        }
        return ExitCode(status)
    }
}

/// Runs a command body, turning library errors into a message and the right exit status.
/// Usage: `try runReportingErrors(json: json) { ... }` inside `run()`.
func runReportingErrors(json: Bool, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        throw CLIOutput.fail(error, json: json)
    }
}
