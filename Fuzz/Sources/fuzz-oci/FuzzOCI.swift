import FuzzSupport
import PaveKit

/// What `pavepkg pull` parses from a registry: the OCI manifest (and its checks as a PAVE artifact), an OCI
/// index (referrers), the artifact config, and the input as a `WWW-Authenticate` header.
let reference: RemoteReference? = try? RemoteReference(parsing: "127.0.0.1:5000/fuzz/patch:1.0.0")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = AuthChallenge.parse(text)
    _ = ContentRange(header: text)
    guard let ref = reference, let json = try? JSONValue.parse(bytes) else { return 0 }
    if let manifest = try? json.decode(OCIManifest.self) { _ = try? PatchArtifact.validate(manifest, at: ref) }
    _ = try? json.decode(OCIIndex.self)
    _ = try? PatchArtifact.config(bytes, size: bytes.count, at: ref)
    return 0
}
