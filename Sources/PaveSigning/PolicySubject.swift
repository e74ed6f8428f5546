import Foundation
import PaveFormat

/// The facts about one patch a ``TrustPolicy`` judges: read from its manifest and file, plus the keys whose
/// signatures over it verified.
public struct PolicySubject: Sendable, Equatable {
    /// The file or installed reference, for messages.
    public var path: String
    /// Bytes of the `.pave` file.
    public var size: Int
    /// `base.structural_signature`, if the patch pins one.
    public var baseStructuralSignature: String?
    /// `side_channel.kind`, if the patch has a side channel.
    public var sideChannel: String?
    /// `license`, if declared.
    public var license: String?
    /// How many stored reference vector sets the patch carries.
    public var referenceVectorSets: Int
    /// Key ids of the signatures that verified over this exact file.
    public var verifiedSigners: [String]
    /// Key ids of signatures present but by keys the policy does not trust (not checked).
    public var otherSigners: [String]

    public init(path: String, size: Int, baseStructuralSignature: String?, sideChannel: String?, license: String?,
                referenceVectorSets: Int, verifiedSigners: [String] = [], otherSigners: [String] = []) {
        self.path = path
        self.size = size
        self.baseStructuralSignature = baseStructuralSignature
        self.sideChannel = sideChannel
        self.license = license
        self.referenceVectorSets = referenceVectorSets
        self.verifiedSigners = verifiedSigners
        self.otherSigners = otherSigners
    }

    /// The facts a manifest states (`base.structural_signature`, `side_channel.kind`, `license`,
    /// `reference_vectors`).
    public init(path: String, size: Int, manifest: Manifest, verifiedSigners: [String] = [], otherSigners: [String] = []) {
        self.init(path: path, size: size,
                  baseStructuralSignature: manifest["base"]?["structural_signature"]?.stringValue,
                  sideChannel: manifest["side_channel"]?["kind"]?.stringValue,
                  license: manifest.license,
                  referenceVectorSets: manifest["reference_vectors"]?.arrayValue?.count ?? 0,
                  verifiedSigners: verifiedSigners, otherSigners: otherSigners)
    }
}
