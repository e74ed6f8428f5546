extension ReferenceCheck {
    /// A result assembled outside this module (the composer checks stack-level sets with its own runner and
    /// ``ReferenceVectors/compare(tensor:got:expected:atol:rtol:)``).
    public static func assembled(set: String, tensorPrefix: String, atol: Double, rtol: Double, outputs: [Output]) -> ReferenceCheck {
        ReferenceCheck(set: set, tensorPrefix: tensorPrefix, atol: atol, rtol: rtol, outputs: outputs)
    }
}
