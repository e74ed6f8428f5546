import Foundation
import Testing
@testable import PaveFormat

@Suite struct ParallelWorkTests {
    /// Collects values from worker threads.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int: Int] = [:]
        func set(_ i: Int, _ v: Int) { lock.withLock { values[i] = v } }
        subscript(_ i: Int) -> Int? { lock.withLock { values[i] } }
    }

    @Test func jobsRunOnceEachWithTheirWorkersContext() throws {
        final class Ctx { var seen: [Int] = [] }
        for _ in 0..<50 {
            let contexts = [Ctx(), Ctx()]
            let out = Collected()
            try ParallelWork.run(count: 200, contexts: contexts) { i, ctx in
                ctx.seen.append(i)
                out.set(i, [UInt8](repeating: UInt8(i & 255), count: 1000 + i).count)
            }
            for i in 0..<200 { #expect(out[i] == 1000 + i) }
            #expect((contexts[0].seen + contexts[1].seen).sorted() == Array(0..<200))
        }
    }

    @Test(arguments: [1, 2, 3])
    func orderedConsumesEveryJobInOrderWithinTheWindow(threads: Int) throws {
        final class Ctx {}
        for window in [1, 2, 5] {
            let produced = Collected()
            let highest = Collected()
            var consumed: [Int] = []
            try ParallelWork.ordered(count: 300, window: window, contexts: (0..<threads).map { _ in Ctx() }, produce: { i, _ in
                produced.set(i, i * 7)
                highest.set(0, max(highest[0] ?? 0, i))
            }, consume: { i in
                #expect(produced[i] == i * 7)
                // No job beyond the window was produced before job i was consumed.
                #expect((highest[0] ?? 0) < i + window)
                consumed.append(i)
            })
            #expect(consumed == Array(0..<300))
        }
    }

    @Test(arguments: [1, 2, 3])
    func orderedThrowsTheLowestFailingJobAndStops(threads: Int) throws {
        struct Failure: Error, Equatable { let job: Int }
        final class Ctx {}
        for _ in 0..<20 {
            var consumed: [Int] = []
            #expect(throws: Failure(job: 40)) {
                try ParallelWork.ordered(count: 1000, window: 4, contexts: (0..<threads).map { _ in Ctx() }, produce: { i, _ in
                    if i == 40 || i == 41 || i == 900 { throw Failure(job: i) }
                }, consume: { i in
                    if i == 60 { throw Failure(job: 60) }
                    consumed.append(i)
                })
            }
            #expect(consumed == Array(0..<40))
        }
    }
}
