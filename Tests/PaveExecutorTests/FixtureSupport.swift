import Foundation
import PaveFormat
import PaveModel
@testable import PaveExecutor

/// Access to Tests/Fixtures/executor (generated once from the real PAVE code; see README there).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/executor")

    static func file(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(directory.appendingPathComponent(name))
    }

    /// The fusion architecture recorded in a weights file's metadata.
    static func architecture(_ weights: SafetensorsFile) throws -> FusionArchitecture {
        let json = weights.metadata["fusion"] ?? "{}"
        return try JSONValue.parse(Array(json.utf8)).decode(FusionArchitecture.self)
    }

    static func floats(_ file: SafetensorsFile, _ name: String) throws -> FloatTensor {
        try FloatTensor(try file.tensor(name), name: name)
    }
}

/// `|got − expected| ≤ atol + rtol·|expected|` element-wise (numpy `allclose`); returns the worst excess.
func worstViolation(_ got: [Float], _ expected: [Float], atol: Float, rtol: Float) -> (index: Int, got: Float, expected: Float)? {
    guard got.count == expected.count else { return (-1, Float(got.count), Float(expected.count)) }
    var worst: (Int, Float, Float)?
    var worstExcess: Float = 0
    for i in got.indices {
        let excess = abs(got[i] - expected[i]) - (atol + rtol * abs(expected[i]))
        if excess > worstExcess || got[i].isNaN { worstExcess = excess; worst = (i, got[i], expected[i]) }
    }
    return worst.map { (index: $0.0, got: $0.1, expected: $0.2) }
}

func maxAbsError(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
