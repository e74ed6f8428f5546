import PaveKit
print("pavepkg-bench \(PaveKitVersion.string)")
