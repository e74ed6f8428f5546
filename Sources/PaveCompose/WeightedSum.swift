/// The stack's summation rule (spec/composition.md §1): `Σᵢ wᵢ·termᵢ` with the terms added in member order
/// in fp64 and rounded once to fp32. The same code runs a composed file and a load-time stack, so both give
/// identical bits. Terms are kept until ``result`` combines them in one pass (no fp64 buffer is allocated).
public struct WeightedSum: Sendable {
    private var terms: [[Float]] = []
    private var weights: [Double] = []
    /// Elements per term.
    public let count: Int

    /// An accumulator for vectors of `count` elements.
    public init(count: Int) { self.count = count }

    /// Terms added so far.
    public var termCount: Int { terms.count }

    /// Adds `weight · term`. `term.count` must equal ``count`` (checked by the caller).
    public mutating func add(_ term: [Float], weight: Double) {
        precondition(term.count == count, "WeightedSum: term of \(term.count) elements added to \(count)")
        terms.append(term)
        weights.append(weight)
    }

    /// `Float(((0 + w₁·t₁) + w₂·t₂) + …)` elementwise, the inner sum in fp64.
    public var result: [Float] {
        var out = [Float](repeating: 0, count: count)
        guard !terms.isEmpty else { return out }
        let w = weights
        out.withUnsafeMutableBufferPointer { o in
            if terms.count == 1, w[0] == 1 {
                // 0 + 1·t rounds back to t exactly.
                terms[0].withUnsafeBufferPointer { t in for j in 0..<o.count { o[j] = t[j] } }
                return
            }
            // Blocks of a cache-sized fp64 accumulator; within each element the order is still member order.
            let block = 4096
            var acc = [Double](repeating: 0, count: min(block, o.count))
            acc.withUnsafeMutableBufferPointer { a in
                var start = 0
                while start < o.count {
                    let n = min(block, o.count - start)
                    for k in 0..<n { a[k] = 0 }
                    for i in terms.indices {
                        let wi = w[i]
                        terms[i].withUnsafeBufferPointer { t in for k in 0..<n { a[k] += wi * Double(t[start + k]) } }
                    }
                    for k in 0..<n { o[start + k] = Float(a[k]) }
                    start += n
                }
            }
        }
        return out
    }
}
