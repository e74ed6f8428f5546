import Foundation

/// Runs a program to completion and captures what it printed: the one process runner of the tests and the
/// benchmarks. Standard output and standard error are drained concurrently, so a child that fills one pipe
/// while the other is being read cannot deadlock.
public enum ChildProcess {
    /// A finished child: its exit status (a signal shows as 128 + its number, as a shell reports it) and output.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Whether the child was killed by a signal (a crash), not exited.
        public var signalled: Bool
    }

    /// Runs `executable` with `arguments`; `environment` entries are added to (or, with a nil value, removed
    /// from) this process's environment.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String?] = [:],
                           currentDirectory: URL? = nil, input: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let currentDirectory { p.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = input.map { _ in Pipe() }
        if let inPipe { p.standardInput = inPipe } else { p.standardInput = FileHandle.nullDevice }
        try p.run()
        if let inPipe, let input {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        let errData = Drain(err.fileHandleForReading)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = errData.wait()
        p.waitUntilExit()
        let signalled = p.terminationReason == .uncaughtSignal
        return Result(status: signalled ? 128 + p.terminationStatus : p.terminationStatus,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                      signalled: signalled)
    }

    /// Runs a program found on PATH (`/usr/bin/env NAME …`).
    public static func run(tool: String, _ arguments: [String], environment: [String: String?] = [:],
                           currentDirectory: URL? = nil, input: Data? = nil) throws -> Result {
        try run(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments, environment: environment,
                currentDirectory: currentDirectory, input: input)
    }

    /// Reads a pipe to its end on a thread of its own.
    private final class Drain: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }
        func wait() -> Data {
            done.wait()
            return data
        }
    }
}
