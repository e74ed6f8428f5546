import Testing

@Suite struct PaveComposeTestsPlaceholder {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
