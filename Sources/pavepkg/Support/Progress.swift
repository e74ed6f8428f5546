import Foundation

/// A one-line progress indicator on stderr, shown only when stderr is a terminal and redrawn at most
/// ten times a second. Safe to call from one thread at a time.
final class ProgressLine: @unchecked Sendable {  // unchecked: callers report from one thread at a time
    private let label: String
    private var total: Int64
    private var lastDraw = Date.distantPast
    private let enabled: Bool

    init(_ label: String, total: Int64) {
        self.label = TerminalText.escaped(label, keepLineBreaks: false)
        self.total = total
        enabled = CLIOutput.stderrIsTerminal
    }

    /// Reports `done` units of `total`.
    func update(_ done: Int64) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || done >= total else { return }
        lastDraw = now
        let pct = total > 0 ? Double(done) * 100 / Double(total) : 100
        FileHandle.standardError.write(Data(String(format: "\r%@ %5.1f%% (%@ / %@)", label, pct, Self.bytes(done), Self.bytes(total)).utf8))
    }

    /// Reports `done` units of a `total` that is known only once work starts.
    func update(_ done: Int64, total: Int64) {
        self.total = total
        update(done)
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    static func bytes(_ n: Int64) -> String {
        let d = Double(n)
        if d >= 1_073_741_824 { return String(format: "%.2f GiB", d / 1_073_741_824) }
        if d >= 1_048_576 { return String(format: "%.1f MiB", d / 1_048_576) }
        if d >= 1024 { return String(format: "%.1f KiB", d / 1024) }
        return "\(n) B"
    }
}

/// Progress of a multi-phase job reported as `(phase, done, total)` from one thread at a time (the shape of
/// the importer's and exporter's `progress` callbacks): one ``ProgressLine`` per phase; a phase with an
/// unknown total (0) shows just its label.
final class PhasedProgress: @unchecked Sendable {
    private var phase = ""
    private var line: ProgressLine?

    /// The callback to hand to the library.
    var callback: @Sendable (String, Int64, Int64) -> Void { { [self] in self.update($0, $1, $2) } }

    func update(_ label: String, _ done: Int64, _ total: Int64) {
        if label != phase {
            line?.finish()
            phase = label
            line = ProgressLine(label, total: total)
        }
        line?.update(total > 0 ? done : 0)
    }

    /// Clears the line.
    func finish() { line?.finish() }
}
