import json, os, torch, numpy as np
from safetensors.numpy import load_file, save_file
from peft import PeftModel, LoraConfig
man=json.load(open("avcat_dir/manifest.json"))
ad=man["lora_merge"]["adapter"]
t=load_file("avcat_dir/tensors.safetensors")
# write a PEFT adapter directory from the merged adapter
os.makedirs("peft_adapter", exist_ok=True)
save_file({k:v for k,v in t.items() if k.startswith("base_model.model.") and ".lora_" in k}, "peft_adapter/adapter_model.safetensors")
json.dump({"peft_type":"LORA","task_type":None,"r":ad["r"],"lora_alpha":ad["alpha"],"target_modules":ad["target_modules"],
           "lora_dropout":0.0,"bias":"none","fan_in_fan_out":False,"use_rslora":False,"init_lora_weights":True,"base_model_name_or_path":None},
          open("peft_adapter/adapter_config.json","w"))
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
torch.manual_seed(0)
base=M(); W0={n:p.detach().clone() for n,p in base.named_parameters()}
pm=PeftModel.from_pretrained(base,"peft_adapter")
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
