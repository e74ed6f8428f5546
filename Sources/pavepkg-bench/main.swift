import Foundation
import PaveKit
if SignatureBench.run(CommandLine.arguments) { exit(0) }
print("pavepkg-bench \(PaveKitVersion.string)")
