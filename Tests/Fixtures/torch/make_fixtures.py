"""Generates the small torch.save / PEFT fixtures under Tests/Fixtures/torch/ (run once, commit the output).

Needs torch, transformers, peft, safetensors. Deterministic seeds; the tests never run Python.
Usage: python3 make_fixtures.py   (from this directory)
"""
import json, os, shutil
import torch

torch.manual_seed(1234)

# 1. Views, offsets, shared storage, non-contiguous, every dtype PAVE checkpoints use.
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
views = {
    "plain": torch.randn(3, 4),
    "offset_view": base[1:3, 2:5],            # offset 8, stride (6, 1): non-contiguous rows
    "row_slice": base[2],                     # contiguous range at offset 12 of the shared storage
    "transposed": base.t(),                   # stride (1, 6)
    "shared": base,                           # same storage as the three above
    "bf16": torch.randn(5, 3).to(torch.bfloat16),
    "fp16": torch.randn(2, 2).half(),
    "scalar": torch.tensor(3.5),
    "int64": torch.arange(3),
    "param": torch.nn.Parameter(torch.randn(2)),
    "empty": torch.zeros(0, 4),
}
torch.save(views, "views.bin")

# 2. A module state_dict (OrderedDict with _metadata, reduced through BUILD).
torch.save(torch.nn.Linear(3, 2).state_dict(), "state_dict.bin")

# 3. The legacy (pre-zip) format.
torch.save({"a": torch.zeros(2)}, "legacy.bin", _use_new_zipfile_serialization=False)

# 4. A tiny PAVE training output directory: fusion module with Cin=24, E=16, Cq=20, D=16, NL=2, Dout=32
#    (heads=2 is not in the file: tests pass --heads 2 --rope none), LoRA r=4 on a tiny Qwen2 via real PEFT.
from transformers import Qwen2Config, Qwen2ForCausalLM
from peft import LoraConfig, get_peft_model

Cin, E, Cq, D, NL, Dout = 24, 16, 20, 16, 2, 32
prefix = "base_model.model.model.temporal_aggregator."
fusion = {}
def lin(name, out, inp, bias=True):
    fusion[name + ".weight"] = torch.randn(out, inp) * 0.2
    if bias:
        fusion[name + ".bias"] = torch.randn(out) * 0.1
lin("input_mapping", E, Cin)
lin("query_input_mapping", D, Cq)
for i in range(NL):
    for p in "qkv":
        lin(f"cross_attn_layers.{i}.attn.{p}_linear", D, E if p != "q" else D)
    fusion[f"cross_attn_layers.{i}.ffn.0.weight"] = 1 + 0.1 * torch.randn(D)
    fusion[f"cross_attn_layers.{i}.ffn.0.bias"] = 0.1 * torch.randn(D)
    lin(f"cross_attn_layers.{i}.ffn.1", 2 * D, D, bias=False)
    lin(f"cross_attn_layers.{i}.ffn.3", D, 2 * D, bias=False)
lin("output_mapping.0", 2 * D, D)
lin("output_mapping.2", Dout, 2 * D)
fusion["output_norm.weight"] = 1 + 0.1 * torch.randn(Dout)
fusion["output_norm.bias"] = 0.1 * torch.randn(Dout)

out = "pave_tiny_lora"
shutil.rmtree(out, ignore_errors=True)
cfg = Qwen2Config(hidden_size=Dout, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, vocab_size=64, max_position_embeddings=64)
model = Qwen2ForCausalLM(cfg)
targets = [f"model.layers.{L}.{m}" for L in range(2) for m in
           ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]]
lcfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.05, target_modules=targets, bias="none", task_type="CAUSAL_LM")
peft_model = get_peft_model(model, lcfg)
with torch.no_grad():
    for n, p in peft_model.named_parameters():
        if "lora_B" in n:
            p.normal_(0, 0.05)  # PEFT initialises B to zero; make the adapter non-trivial
peft_model = peft_model.to(torch.bfloat16)
peft_model.save_pretrained(out)
# PAVE's config.json: the base config as a PAVEQwen2Config, no temporal_aggregator_config.
c = cfg.to_dict()
c.update({"model_type": "pave_qwen2", "architectures": ["LlavaQwenForCausalLM"], "_name_or_path": "tiny/qwen2-test",
          "mm_hidden_size": Cq, "mm_video_tower": "opensora", "temporal_aggregator_type": "pmv5",
          "feat_combine_method": "add", "train_addition_start_end_tokens": False, "torch_dtype": "bfloat16"})
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(c, f, indent=2, sort_keys=True)
torch.save({prefix + k: v.to(torch.bfloat16) for k, v in fusion.items()}, os.path.join(out, "non_lora_trainables.bin"))
for junk in ["README.md"]:
    if os.path.exists(os.path.join(out, junk)):
        os.remove(os.path.join(out, junk))
print(sorted(os.listdir(out)))

# 5. The released form: a DEFLATE zip whose single top folder is the training output directory, here with
#    an intermediate checkpoint-2/ subfolder as the trainer leaves it (the importer takes the top-level files).
import zipfile
with zipfile.ZipFile("pave_tiny_lora.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(out)):
        z.write(os.path.join(out, name), f"{out}/{name}")
    for name in ["adapter_config.json", "adapter_model.safetensors", "config.json", "non_lora_trainables.bin"]:
        z.write(os.path.join(out, name), f"{out}/checkpoint-2/{name}")

# 6. Expected contents of the .bin fixtures: dtype, shape and SHA-256 of the contiguous little-endian bytes.
import hashlib
def expected(path):
    d = torch.load(path, weights_only=True)
    res = {}
    for k, v in d.items():
        v = v.detach().contiguous()
        raw = v.view(torch.int16) if v.dtype == torch.bfloat16 else v
        res[k] = {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                  "sha256": hashlib.sha256(raw.numpy().tobytes()).hexdigest()}
    return res
with open("expected.json", "w") as f:
    json.dump({"views.bin": expected("views.bin"), "state_dict.bin": expected("state_dict.bin"),
               "pave_tiny_lora/non_lora_trainables.bin": expected(os.path.join(out, "non_lora_trainables.bin"))},
              f, indent=1, sort_keys=True)

# 7. The same fusion tensors as a plain safetensors file ("the source tensors" of the executor check: the
#    executor must give identical outputs on these and on the imported patch).
from safetensors.torch import save_file
src = torch.load(os.path.join(out, "non_lora_trainables.bin"), weights_only=True)
save_file({k: v.contiguous() for k, v in src.items()}, "pave_tiny_fusion_source.safetensors")

# 8. DEFLATE edge cases for the inflater: stored blocks (level 0), fixed and dynamic Huffman blocks, long
#    back-references (runs of zeros), incompressible data, an empty entry; the tests check size and CRC-32.
import random
rng = random.Random(7)
text = (" ".join(rng.choice(["pave", "lora", "fusion", "tensor", "zip", "inflate", "a", "the"]) for _ in range(6000))).encode()
noise = bytes(rng.getrandbits(8) for _ in range(40000))
with zipfile.ZipFile("deflate_cases.zip", "w") as z:
    for level in (0, 1, 6, 9):
        z.writestr(f"cases/text.l{level}", text, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    z.writestr("cases/zeros.l9", bytes(300000), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    z.writestr("cases/noise.l6", noise, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    z.writestr("cases/short.l6", b"abc", compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    z.writestr("cases/empty.l6", b"", compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    z.writestr("cases/mixed.l9", text[:5000] + noise[:5000] + bytes(70000) + text, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
