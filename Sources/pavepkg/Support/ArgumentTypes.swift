import ArgumentParser
import Foundation
import PaveKit

// Flags become types at the edge: each library value a flag takes is parsed here, by ArgumentParser, so a
// malformed value is a usage error (exit status 2) naming the flag, and the libraries never see text.

extension Tolerance: ExpressibleByArgument {
    /// `ATOL,RTOL`, two finite non-negative numbers.
    public init?(argument: String) { self.init(argument) }
}

extension RoPEMode: ExpressibleByArgument {}

extension LoRAMergeMode: ExpressibleByArgument {
    /// `cat` or `svd:R`.
    public init?(argument: String) { self.init(argument) }
}

extension StackWeight: ExpressibleByArgument {
    /// `NAME=W`.
    public init?(argument: String) { self.init(argument) }
}

extension MemberRename: ExpressibleByArgument {
    /// `KEY=NEW`.
    public init?(argument: String) { self.init(argument) }
}

extension PaveCheckpointExporter.Format: ExpressibleByArgument {}

/// An RFC 3339 timestamp given on the command line (`--created`).
struct Timestamp: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        guard let date = RFC3339.parse(argument) else { return nil }
        self.date = date
    }
}
