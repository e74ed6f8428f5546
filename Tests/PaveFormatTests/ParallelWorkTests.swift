import Foundation
import Testing
@testable import PaveFormat

@Suite struct ParallelWorkTests {
    @Test func jobsRunOnceEachWithTheirWorkersContext() throws {
        final class Ctx { var seen: [Int] = [] }
        for _ in 0..<50 {
            let contexts = [Ctx(), Ctx()]
            let slots = ResultSlots<[UInt8]>(count: 200)
            try ParallelWork.run(count: 200, contexts: contexts) { i, ctx in
                ctx.seen.append(i)
                slots.set(i, [UInt8](repeating: UInt8(i & 255), count: 1000 + i))
            }
            for i in 0..<200 { #expect(slots.take(i).count == 1000 + i) }
            #expect((contexts[0].seen + contexts[1].seen).sorted() == Array(0..<200))
        }
    }
}
