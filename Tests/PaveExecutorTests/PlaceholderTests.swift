import Testing

@Suite struct PaveExecutorTestsPlaceholder {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
