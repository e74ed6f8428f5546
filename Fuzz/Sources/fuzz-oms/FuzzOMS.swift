import FuzzSupport
import Foundation
import PaveKit

/// What `pavepkg verify --signature` and `install`/`pull` parse from a stranger: the OMS signature bundle (Sigstore
/// bundle v0.3, strict), the in-toto statement inside its DSSE envelope, and a trust policy file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOMS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    if let bundle = try? OMSBundle.parse(bytes, source: "fuzz.sig") {
        _ = try? OMSStatement.parse(bundle.payload, source: "fuzz.sig")
        _ = DSSE.preAuthenticationEncoding(payloadType: bundle.payloadType, payload: bundle.payload)
    }
    _ = try? OMSStatement.parse(bytes, source: "fuzz.statement")
    _ = try? TrustPolicy.parse(bytes, directory: URL(fileURLWithPath: "/nonexistent-fuzz-dir"), source: "fuzz-policy.json")
    return 0
}
