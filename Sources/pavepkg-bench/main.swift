import Foundation
import PaveKit
if ComposeBench.run(CommandLine.arguments) { exit(0) }
print("pavepkg-bench \(PaveKitVersion.string)")
