/// The DSSE pre-authentication encoding (PAE) the envelope's signature is made over:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths as decimal ASCII byte counts.
public enum DSSE {
    /// The in-toto payload type OMS uses.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    /// The PAE bytes of `payload` (the raw, decoded payload) with `payloadType`.
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out = Array("DSSEv1 \(type.count) ".utf8)
        out.reserveCapacity(out.count + type.count + payload.count + 24)
        out += type
        out += Array(" \(payload.count) ".utf8)
        out += payload
        return out
    }
}
