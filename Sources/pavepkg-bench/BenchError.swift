/// A benchmark or sample-generation failure, printed as is.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
