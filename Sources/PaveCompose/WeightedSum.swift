/// The stack's summation rule (spec/composition.md §1): terms are added in member order in fp64 and rounded
/// once to fp32. The same code runs a composed file and a load-time stack, so both give identical bits.
public struct WeightedSum: Sendable {
    private var acc: [Double]
    /// Terms added so far.
    public private(set) var termCount = 0

    /// An accumulator for vectors of `count` elements.
    public init(count: Int) { acc = [Double](repeating: 0, count: count) }

    /// Adds `weight · term`. `term.count` must equal the accumulator's count (checked by the caller).
    public mutating func add(_ term: [Float], weight: Double) {
        precondition(term.count == acc.count, "WeightedSum: term of \(term.count) elements added to \(acc.count)")
        termCount += 1
        acc.withUnsafeMutableBufferPointer { a in
            term.withUnsafeBufferPointer { t in
                for j in 0..<a.count { a[j] += weight * Double(t[j]) }
            }
        }
    }

    /// The sum rounded to fp32.
    public var result: [Float] { acc.map { Float($0) } }
}
