import numpy as np, json, sys
from safetensors.numpy import save_file
def patch(name, seed, cin, side_kind, r, alpha, modules, out=64, D=32, E=32, Cq=48, L=1):
    rng=np.random.default_rng(seed)
    t={}
    def lin(n, o, i, bias=True):
        t["fusion."+n+".weight"]=(rng.standard_normal((o,i))/np.sqrt(i)).astype(np.float32)
        if bias: t["fusion."+n+".bias"]=(0.1*rng.standard_normal(o)).astype(np.float32)
    lin("input_mapping",E,cin); lin("query_input_mapping",D,Cq)
    for l in range(L):
        p=f"cross_attn_layers.{l}."
        lin(p+"attn.q_linear",D,D); lin(p+"attn.k_linear",D,E); lin(p+"attn.v_linear",D,E)
        t["fusion."+p+"ffn.0.weight"]=(1+0.1*rng.standard_normal(D)).astype(np.float32)
        t["fusion."+p+"ffn.0.bias"]=(0.1*rng.standard_normal(D)).astype(np.float32)
        lin(p+"ffn.1",2*D,D,False); lin(p+"ffn.3",D,2*D,False)
    lin("output_mapping.0",2*D,D); lin("output_mapping.2",out,2*D)
    t["fusion.output_norm.weight"]=(1+0.1*rng.standard_normal(out)).astype(np.float32)
    t["fusion.output_norm.bias"]=(0.1*rng.standard_normal(out)).astype(np.float32)
    for m in modules:
        i,o=(out*2,out) if m.endswith("down_proj") else (out,out)
        t[f"base_model.model.{m}.lora_A.weight"]=(rng.standard_normal((r,i))/np.sqrt(i)).astype(np.float32)
        t[f"base_model.model.{m}.lora_B.weight"]=(0.05*rng.standard_normal((o,r))).astype(np.float32)
    save_file(t, f"{name}.safetensors")
    man={"name":name,"version":"1.0.0","license":"apache-2.0",
         "fusion":{"type":"pave-v5","input_dim":cin,"embed_dim":E,"query_dim":Cq,"hidden_dim":D,"output_dim":out,"heads":2,"layers":L,
                   "rope":"none","output_mlp":True,"mlp_depth":2,"output_norm":True,"query_source":"slow_feat_before_mlp","tensor_prefix":"fusion."},
         "lora":{"r":r,"alpha":alpha,"use_rslora":False,"target_modules":sorted(modules),"tensor_prefix":"base_model.model."},
         "side_channel":{"kind":side_kind,"layout":{"T":None,"H":1,"W":1,"C":cin}}}
    json.dump(man, open(f"{name}.json","w"))
mods=[f"model.layers.{l}.{m}" for l in range(2) for m in ["self_attn.q_proj","mlp.down_proj"]]
patch("video",1,40,"video",8,16,mods)
patch("audio",2,24,"audio",4,8,mods[:2])
# run inputs
rng=np.random.default_rng(7)
save_file({"visual":rng.standard_normal((4,9,48)).astype(np.float32),
           "side.video":rng.standard_normal((6,1,1,40)).astype(np.float32),
           "side.audio":rng.standard_normal((10,1,1,24)).astype(np.float32),
           "lora_x":rng.standard_normal((5,64)).astype(np.float32)}, "in.safetensors")
