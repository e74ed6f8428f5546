import json, os, torch, numpy as np
from safetensors.numpy import load_file, save_file
from peft import PeftModel, LoraConfig
# The adapter as `pavepkg export avcat.pave --format peft -o peft_export` wrote it.
ad=json.load(open("peft_export/adapter_config.json"))
H=64
class Attn(torch.nn.Module):
    def __init__(s): super().__init__(); s.q_proj=torch.nn.Linear(H,H,bias=False)
class MLP(torch.nn.Module):
    def __init__(s): super().__init__(); s.down_proj=torch.nn.Linear(2*H,H,bias=False)
class Layer(torch.nn.Module):
    def __init__(s): super().__init__(); s.self_attn=Attn(); s.mlp=MLP()
class Inner(torch.nn.Module):
    def __init__(s): super().__init__(); s.layers=torch.nn.ModuleList([Layer(),Layer()])
class M(torch.nn.Module):
    def __init__(s): super().__init__(); s.model=Inner()
    def forward(s,x): return x
    def prepare_inputs_for_generation(s,*a,**k): return {}
torch.manual_seed(0)
base=M(); W0={n:p.detach().clone() for n,p in base.named_parameters()}
pm=PeftModel.from_pretrained(base,"peft_export")
merged=pm.merge_and_unload()
W1={n:p.detach() for n,p in merged.named_parameters()}
# expected ΔW from the members: Σ w s B A
members={"video":(1.0,"v_dir"),"audio":(-0.75,"a_dir")}
worst=0
for mod in ad["target_modules"]:
    dw=np.zeros_like(W0[mod+".weight"].numpy(),dtype=np.float64)
    for name,(w,d) in members.items():
        mm=json.load(open(d+"/manifest.json")); tt=load_file(d+"/tensors.safetensors")
        if mod not in mm["lora"]["target_modules"]: continue
        s=mm["lora"]["alpha"]/mm["lora"]["r"]
        A=tt[f"base_model.model.{mod}.lora_A.weight"].astype(np.float64); B=tt[f"base_model.model.{mod}.lora_B.weight"].astype(np.float64)
        dw+=w*s*(B@A)
    got=(W1[mod+".weight"]-W0[mod+".weight"]).double().numpy()
    rel=np.abs(got-dw).max()/np.abs(dw).max()
    worst=max(worst,rel); print(mod, "r'=%d"%ad["r"], "max rel diff %.2e"%rel)
print("PEFT merge_and_unload of the cat adapter vs Σ w·s·B·A: worst %.2e"%worst)
