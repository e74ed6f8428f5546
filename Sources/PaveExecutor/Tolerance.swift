import Foundation

/// How far a computed output may be from a stored expected one: element-wise
/// `|got − expected| ≤ atol + rtol·|expected|`. Its text form is `ATOL,RTOL` (e.g. `1e-4,1e-4`).
public struct Tolerance: Sendable, Equatable, Hashable, LosslessStringConvertible {
    /// Absolute tolerance, ≥ 0.
    public var atol: Double
    /// Relative tolerance, ≥ 0.
    public var rtol: Double

    /// A tolerance; both values must be finite and non-negative, or `nil`.
    public init?(atol: Double, rtol: Double) {
        guard atol >= 0, rtol >= 0, atol.isFinite, rtol.isFinite else { return nil }
        self.atol = atol
        self.rtol = rtol
    }

    /// `1e-4, 1e-4`: what self-check sets and user sets without an explicit tolerance use.
    public static let `default` = Tolerance(uncheckedAtol: 1e-4, rtol: 1e-4)

    /// Parses `ATOL,RTOL` (two finite non-negative numbers, spaces allowed around them); `nil` otherwise.
    public init?(_ description: String) {
        let parts = description.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let r = parts[1] else { return nil }
        self.init(atol: a, rtol: r)
    }

    /// `ATOL,RTOL`.
    public var description: String { "\(atol),\(rtol)" }

    private init(uncheckedAtol atol: Double, rtol: Double) {
        self.atol = atol
        self.rtol = rtol
    }
}
