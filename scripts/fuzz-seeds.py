#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz harness into OUT/<harness>/ from the repository's samples and test
fixtures (small files only). Usage: scripts/fuzz-seeds.py OUT. Deterministic; needs only the standard library.
Multi-file inputs (fuzz-basemodel) join files with SEP, as Fuzz/Sources/FuzzSupport/FuzzInput.swift splits them."""
import glob, io, json, os, struct, sys, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEP = b"\n--PAVEFUZZ--\n"
MAX = 64 * 1024


def write(out, harness, name, data):
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, bytes)."""
    header, offset, data = {}, 0, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def pave_manifest(path):
    b = open(path, "rb").read()
    off, length = struct.unpack_from("<QQ", b, 24)
    return b[off:off + length]


def main(out):
    # .pave
    for p in sorted(glob.glob(os.path.join(ROOT, "samples", "*.pave"))) + sorted(glob.glob(os.path.join(ROOT, "Tests", "Fixtures", "**", "*.pave"), recursive=True)):
        if os.path.getsize(p) <= MAX:
            write(out, "fuzz-pave", os.path.basename(p), open(p, "rb").read())
    # safetensors
    for p in sorted(glob.glob(os.path.join(ROOT, "Tests", "Fixtures", "**", "*.safetensors"), recursive=True)):
        if os.path.getsize(p) <= MAX:
            write(out, "fuzz-safetensors", os.path.relpath(p, ROOT).replace("/", "_"), open(p, "rb").read())
    write(out, "fuzz-safetensors", "dtypes.safetensors", safetensors(
        [("a", "F32", [2], b"\0" * 8), ("b", "BF16", [1, 2], b"\0" * 4), ("c", "F16", [], b"\0" * 2),
         ("d", "I8", [0, 3], b""), ("e", "U8", [3], b"\1\2\3"), ("f", "BOOL", [1], b"\1"), ("g", "F64", [1], b"\0" * 8),
         ("h", "I64", [1], b"\0" * 8), ("i", "I32", [1], b"\0" * 4), ("j", "I16", [1], b"\0" * 2)],
        {"format": "pt"}))
    # manifest and patch-semantics JSON
    manifests = [pave_manifest(p) for p in sorted(glob.glob(os.path.join(ROOT, "samples", "*.pave")))]
    for i, m in enumerate(manifests):
        write(out, "fuzz-manifest", f"sample{i}.json", m)
        obj = json.loads(m)
        obj["members"] = [{"name": "a", "side_name": "a", "weight": 0.5, "digest": "sha256:" + "0" * 64,
                           "tensor_prefix": "m.a/", "manifest": {"name": "a", "version": "1.0.0"}}]
        obj["lora_merge"] = {"mode": "concat", "rank": 4, "adapter": "m.a/"}
        obj["base"] = {"name": "llava-onevision-qwen2-0.5b-ov", "source": "config",
                       "structural_signature": "sha256:" + "1" * 64}
        write(out, "fuzz-manifest", f"composed{i}.json", json.dumps(obj, sort_keys=True, separators=(",", ":")).encode())
    semantics = {"format_version": "1.0", "name": "pave-audio", "version": "0.3.1-rc.1",
                 "fusion": {"type": "pave-v5", "input_dim": 8, "embed_dim": 8, "query_dim": 8, "hidden_dim": 8, "output_dim": 8,
                            "heads": 2, "layers": 1, "rope": "3d", "output_mlp": True, "mlp_depth": 2, "output_norm": True,
                            "query_source": "slow_feat_before_mlp", "tensor_prefix": "base_model.model.model.temporal_aggregator."},
                 "lora": {"r": 4, "alpha": 16, "use_rslora": False, "tensor_prefix": "base_model.model.",
                          "target_modules": ["model.layers.0.mlp.down_proj"], "peft_config": {"peft_type": "LORA", "r": 4}},
                 "side_channel": {"kind": "audio", "encoder": "ImageBind audio", "layout": {"T": 2, "H": 1, "W": 1, "C": 8}, "rate_hz": 2.5},
                 "reference_vectors": [{"name": "self-check", "tensor_prefix": "ref.self-check.", "lora_modules": ["model.layers.0.mlp.down_proj"],
                                        "atol": 0.0001, "rtol": 0.0001, "source": "pavepkg self-check", "seed": 0, "chunk_num": 2, "side_length": 3}]}
    write(out, "fuzz-manifest", "semantics.json", json.dumps(semantics, sort_keys=True, separators=(",", ":")).encode())
    write(out, "fuzz-manifest", "minimal.json", b'{"format_version":"1.0","name":"p","version":"1.0.0"}')
    write(out, "fuzz-manifest", "escapes.json", b'{"format_version":"1.0","name":"p","version":"1.0.0-rc.1+b","description":"\\u001b[2J\\ud83d\\ude00 \\"x\\"","tags":["a","b"],"created":"2026-01-01T00:00:00Z"}')
    # base model directory: config.json SEP model.safetensors, or config SEP index SEP shard1 SEP shard2
    config = {"architectures": ["LlavaQwenForCausalLM"], "model_type": "llava", "hidden_size": 4, "intermediate_size": 8,
              "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 16,
              "tie_word_embeddings": True, "mm_hidden_size": 4, "mm_projector_type": "mlp2x_gelu"}
    layer = [("model.layers.0.self_attn.q_proj.weight", "BF16", [4, 4], b"\0" * 32),
             ("model.layers.0.self_attn.q_proj.bias", "BF16", [4], b"\0" * 8),
             ("model.layers.0.self_attn.k_proj.weight", "BF16", [2, 4], b"\0" * 16),
             ("model.layers.0.mlp.down_proj.weight", "BF16", [4, 8], b"\0" * 64),
             ("model.mm_projector.0.weight", "BF16", [4, 4], b"\0" * 32),
             ("model.embed_tokens.weight", "BF16", [16, 4], b"\0" * 128)]
    cfg = json.dumps(config).encode()
    write(out, "fuzz-basemodel", "single", cfg + SEP + safetensors(layer))
    index = {"metadata": {"total_size": 280}, "weight_map": {n: ("model-00001-of-00002.safetensors" if i < 3 else "model-00002-of-00002.safetensors") for i, (n, _, _, _) in enumerate(layer)}}
    write(out, "fuzz-basemodel", "sharded", cfg + SEP + json.dumps(index).encode() + SEP + safetensors(layer[:3]) + SEP + safetensors(layer[3:]))
    nested = {"model_type": "llava_onevision", "text_config": {k: config[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "vocab_size")}, "vision_config": {"hidden_size": 4}}
    write(out, "fuzz-basemodel", "nested", json.dumps(nested).encode() + SEP + safetensors(layer))

    # zip, torch checkpoints, raw pickles, PAVE checkpoint zips (Tests/Fixtures/torch, see its README)
    torch = os.path.join(ROOT, "Tests", "Fixtures", "torch")
    for name in ("state_dict.bin", "views.bin"):
        data = open(os.path.join(torch, name), "rb").read()
        write(out, "fuzz-zip", name, data)
        write(out, "fuzz-torch", name, data)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if info.filename.endswith("data.pkl"):
                    write(out, "fuzz-pickle", name + ".data.pkl", z.read(info))
    write(out, "fuzz-pickle", "legacy.bin", open(os.path.join(torch, "legacy.bin"), "rb").read())
    nlt = open(os.path.join(torch, "pave_tiny_lora", "non_lora_trainables.bin"), "rb").read()
    write(out, "fuzz-torch", "non_lora_trainables.bin", nlt)
    for method, tag in ((zipfile.ZIP_DEFLATED, "deflate"), (zipfile.ZIP_STORED, "stored")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, data in (("a/text.txt", b"hello hello hello " * 20), ("a/empty", b""), ("a/dir/", b"")):
                info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
                info.compress_type = method
                z.writestr(info, data)
        write(out, "fuzz-zip", tag + ".zip", buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open(zipfile.ZipInfo("big/x", (2026, 1, 1, 0, 0, 0)), "w", force_zip64=True) as f:
            f.write(b"\0" * 1000)
    write(out, "fuzz-zip", "zip64.zip", buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(os.listdir(os.path.join(torch, "pave_tiny_lora"))):
            info = zipfile.ZipInfo("pave_tiny_lora/" + name, (2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, open(os.path.join(torch, "pave_tiny_lora", name), "rb").read())
    write(out, "fuzz-checkpoint", "pave_tiny_lora.zip", buf.getvalue())
    # Crashers found before the harnesses existed (Tests/Fixtures/crashers, run by FuzzCrasherCLITests).
    crashers = os.path.join(ROOT, "Tests", "Fixtures", "crashers")
    for p in sorted(glob.glob(os.path.join(crashers, "*.pkl"))):
        write(out, "fuzz-pickle", "crasher-" + os.path.basename(p), open(p, "rb").read())
    for p in sorted(glob.glob(os.path.join(crashers, "*.zip"))):
        for h in ("fuzz-zip", "fuzz-torch", "fuzz-checkpoint"):
            write(out, h, "crasher-" + os.path.basename(p), open(p, "rb").read())

    # OCI: manifest, index, PAVE artifact config, WWW-Authenticate headers
    d0 = "sha256:" + "a" * 64
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": "application/vnd.pave.patch.v1",
                "config": {"mediaType": "application/vnd.pave.patch.config.v1+json", "digest": d0, "size": 120},
                "layers": [{"mediaType": "application/vnd.pave.patch.head.v1", "digest": "sha256:" + "b" * 64, "size": 512},
                           {"mediaType": "application/vnd.pave.patch.tensor.v1", "digest": "sha256:" + "c" * 64, "size": 4096,
                            "annotations": {"org.opencontainers.image.title": "w"}}],
                "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"}}
    write(out, "fuzz-oci", "manifest.json", json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [dict(manifest["config"], mediaType="application/vnd.oci.image.manifest.v1+json", artifactType="application/vnd.dev.sigstore.bundle.v0.3+json")]}
    write(out, "fuzz-oci", "index.json", json.dumps(index).encode())
    config = {"name": "tiny", "version": "1.0.0", "patch_digest": d0, "size": 1616, "pave_format": 1,
              "base": {"model": "llava-onevision-qwen2-0.5b-ov", "signature": d0}, "side_channel": {"kind": "audio", "encoder": "x"}, "lora_rank": 4}
    write(out, "fuzz-oci", "config.json", json.dumps(config).encode())
    write(out, "fuzz-oci", "content-range", b"bytes 100-199/200")
    # OMS: a signature bundle as model_signing writes it (the signature bytes need not verify to reach the parser),
    # its statement, and a trust policy.
    import base64
    statement = {"_type": "https://in-toto.io/Statement/v1",
                 "subject": [{"name": "tiny.pave", "digest": {"sha256": "a" * 64}}],
                 "predicateType": "https://model_signing/signature/v1.0",
                 "predicate": {"serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": False,
                                                 "ignore_paths": [".gitattributes", ".github", ".git", ".gitignore"]},
                               "resources": [{"name": ".", "algorithm": "sha256", "digest": "b" * 64}]}}
    payload = json.dumps(statement).encode()
    bundle = {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
              "verificationMaterial": {"publicKey": {"hint": "c" * 64}, "tlogEntries": []},
              "dsseEnvelope": {"payload": base64.b64encode(payload).decode(), "payloadType": "application/vnd.in-toto+json",
                               "signatures": [{"sig": base64.b64encode(b"\x30\x06\x02\x01\x01\x02\x01\x01").decode(), "keyid": ""}]}}
    write(out, "fuzz-oms", "bundle.sig", json.dumps(bundle).encode())
    write(out, "fuzz-oms", "statement.json", payload)
    policy = {"trusted_keys": ["d" * 64], "require_signature": True, "allowed_bases": ["sha256:" + "e" * 64],
              "allowed_side_channels": ["audio"], "licenses": ["MIT"], "max_size": 500000000, "require_reference_vectors": True}
    write(out, "fuzz-oms", "policy.json", json.dumps(policy).encode())
    write(out, "fuzz-oci", "auth-bearer", b'Bearer realm="http://127.0.0.1:5001/token",service="registry",scope="repository:fuzz/patch:pull,push", Basic realm="x"')


if __name__ == "__main__":
    main(sys.argv[1])
