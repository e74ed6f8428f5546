import Foundation
import Testing
@testable import PaveSigning

/// spec/policy.schema.json and the TrustPolicy parser accept and refuse the same documents (checked with the
/// Python `jsonschema` validator, Draft 2020-12).
struct PolicySchemaTests {
    @Test func theSchemaAndTheParserAgree() throws {
        let dir = try ScratchDir()
        _ = try dir.opensslKey("k")
        let hex = String(repeating: "ab", count: 32)
        let documents: [String] = [
            "{}",
            #"{"trusted_keys": ["k.pub"], "require_signature": true}"#,
            #"{"require_signature": true}"#,
            #"{"require_signatures": true}"#,
            #"{"max_size": 0}"#,
            #"{"max_size": 10, "licenses": ["MIT"], "allowed_side_channels": ["audio"], "require_reference_vectors": false}"#,
            "{\"allowed_bases\": [\"sha256:\(hex)\"]}",
            #"{"allowed_bases": ["sha256:ABC"]}"#,
            #"{"licenses": "MIT"}"#,
        ]
        let schema = Tool.root.appendingPathComponent("spec/policy.schema.json").path
        let script = """
            import json, sys, jsonschema
            v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            for doc in sys.argv[2:]:
                print("ok" if v.is_valid(json.loads(doc)) else "refused")
            """
        let python = Tool.root.appendingPathComponent(".venv-oms/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: python) else { throw ToolError("\(python) not found: run scripts/oms-venv.sh") }
        let r = try Tool.run(python, ["-c", script, schema] + documents)
        guard r.status == 0 else { throw ToolError("jsonschema: \(r.stderr) (run scripts/oms-venv.sh)") }
        let bySchema = r.stdout.split(separator: "\n").map(String.init)
        for (doc, verdict) in zip(documents, bySchema) {
            let parsed = (try? TrustPolicy.parse(Array(doc.utf8), directory: dir.url, source: "p.json")) != nil
            #expect((parsed ? "ok" : "refused") == verdict, "\(doc)")
        }
        #expect(bySchema.count == documents.count)
    }
}
