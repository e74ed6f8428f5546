import Testing

@Suite struct PaveRegistryTestsPlaceholder {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
