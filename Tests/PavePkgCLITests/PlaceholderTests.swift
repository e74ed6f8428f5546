import Testing

@Suite struct PavePkgCLITestsPlaceholder {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
