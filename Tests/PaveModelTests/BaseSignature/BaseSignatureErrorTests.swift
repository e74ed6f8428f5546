import Foundation
import PaveFormat
import Testing
@testable import PaveModel

@Suite struct BaseSignatureErrorTests {
    /// Runs `body` on a fresh tiny model (2 shards when `sharded`) and returns the error code signing it gives.
    func failure(sharded: Bool = true, _ damage: (URL) throws -> Void) throws -> (String?, String) {
        let root = SigFixtures.tempDir("err")
        defer { SigFixtures.cleanup(root) }
        let dir = try SigFixtures.tinyModel(in: root, shards: sharded ? 2 : 1)
        try damage(dir)
        do {
            _ = try BaseSignature.compute(model: dir, content: true)
            return (nil, "")
        } catch {
            return (error.code, error.description)
        }
    }

    func index(_ dir: URL) throws -> [String: JSONValue] {
        try JSONValue.parse(Data(contentsOf: dir.appendingPathComponent("model.safetensors.index.json"))).objectValue ?? [:]
    }

    func writeIndex(_ object: [String: JSONValue], to dir: URL) throws {
        try JSONValue.object(object).prettyData().write(to: dir.appendingPathComponent("model.safetensors.index.json"))
    }

    @Test func notADirectoryAndMissingConfigAndNoWeights() throws {
        let root = SigFixtures.tempDir("err")
        defer { SigFixtures.cleanup(root) }
        #expect(throws: BaseSignatureError.notADirectory(path: root.appendingPathComponent("nope").path)) {
            try ModelDirectory(root.appendingPathComponent("nope"))
        }
        #expect(throws: BaseSignatureError.missingConfig(directory: root.path)) { try ModelDirectory(root) }
        try JSONValue.object(SigFixtures.tinyConfig()).prettyData().write(to: root.appendingPathComponent("config.json"))
        #expect(throws: BaseSignatureError.noWeights(directory: root.path)) { try ModelDirectory(root) }
    }

    @Test func configWithoutARequiredField() throws {
        let (code, message) = try failure { dir in
            var c = SigFixtures.tinyConfig()
            c["intermediate_size"] = nil
            try JSONValue.object(c).prettyData().write(to: dir.appendingPathComponent("config.json"))
        }
        #expect(code == "signature.missing_config_field")
        #expect(message.contains("intermediate_size"))
    }

    @Test func missingShardNamedInTheIndex() throws {
        let (code, message) = try failure { dir in
            try FileManager.default.removeItem(at: dir.appendingPathComponent("model-00002-of-00002.safetensors"))
        }
        #expect(code == "signature.missing_shard")
        #expect(message.contains("model-00002-of-00002.safetensors"))
    }

    @Test func shardThatIsAGitLFSPointer() throws {
        let (code, message) = try failure { dir in
            let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 4938985248\n"
            try Data(pointer.utf8).write(to: dir.appendingPathComponent("model-00001-of-00002.safetensors"))
        }
        #expect(code == "signature.lfs_pointer")
        #expect(message.contains("git lfs pull") && message.contains("4938985248"))
    }

    @Test func headerThatLiesAboutItsDataIsNamed() throws {
        let (code, message) = try failure { dir in
            // Truncate the second shard: its header now places data beyond the end of the file.
            let url = dir.appendingPathComponent("model-00002-of-00002.safetensors")
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            let h = try FileHandle(forWritingTo: url)
            try h.truncate(atOffset: UInt64(size - 100))
            try h.close()
        }
        #expect(code == "signature.data_beyond_file")
        #expect(message.contains("model-00002-of-00002.safetensors") && message.contains("only"))
    }

    @Test func garbageShardIsNotSafetensors() throws {
        let (code, _) = try failure(sharded: false) { dir in
            try Data("<html>not found</html>".utf8).write(to: dir.appendingPathComponent("model.safetensors"))
        }
        #expect(code == "signature.invalid_shard")
    }

    @Test func tensorInTheIndexButNotInItsShard() throws {
        let (code, message) = try failure { dir in
            var idx = try index(dir)
            var map = idx["weight_map"]?.objectValue ?? [:]
            map["model.layers.0.self_attn.q_proj.weight"] = "model-00002-of-00002.safetensors"
            idx["weight_map"] = .object(map)
            try writeIndex(idx, to: dir)
        }
        // The shard that really holds it now holds a tensor the index places elsewhere.
        #expect(code == "signature.tensor_not_in_index" || code == "signature.tensor_not_in_shard")
        #expect(message.contains("model.layers.0.self_attn.q_proj.weight"))
        let (code2, message2) = try failure { dir in
            var idx = try index(dir)
            var map = idx["weight_map"]?.objectValue ?? [:]
            map["model.layers.9.mlp.up_proj.weight"] = "model-00001-of-00002.safetensors"
            idx["weight_map"] = .object(map)
            try writeIndex(idx, to: dir)
        }
        #expect(code2 == "signature.tensor_not_in_shard")
        #expect(message2.contains("model.layers.9.mlp.up_proj.weight"))
    }

    @Test func shardNameWithAPathIsRefused() throws {
        let (code, _) = try failure { dir in
            var idx = try index(dir)
            var map = idx["weight_map"]?.objectValue ?? [:]
            map["model.norm.weight"] = "../../etc/passwd"
            idx["weight_map"] = .object(map)
            try writeIndex(idx, to: dir)
        }
        #expect(code == "signature.invalid_name")
    }

    @Test func layerCountThatDisagreesWithTheConfig() throws {
        let (code, message) = try failure { dir in
            try JSONValue.object(SigFixtures.tinyConfig(layers: 3)).prettyData().write(to: dir.appendingPathComponent("config.json"))
        }
        #expect(code == "signature.layer_count_mismatch")
        #expect(message.contains("num_hidden_layers = 3") && message.contains("0…1"))
    }
}
