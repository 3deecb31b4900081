"""The MeZO reference step on the CPU, for bench_llm's CPU comparison.

Same procedure as mezo_reference_bench.py (the MeZO reference trainer's step: per-parameter
torch.normal after a seed reset, four in-place perturbation passes +eps, -2eps, +eps, update,
and two forward passes with labels), on the model and batch bench_llm wrote to DIR
(config.json + model.safetensors + batch.safetensors), fp32, with the same thread count.
Prints one JSON line: t_forward_s, t_mezo_step_s (medians).
"""
import json, sys, time, statistics
import torch
from safetensors.torch import load_file
from transformers import OPTForCausalLM

def main(d, threads, reps):
    torch.set_num_threads(threads)
    model = OPTForCausalLM.from_pretrained(d, torch_dtype=torch.float32).eval()
    batch = load_file(d + "/batch.safetensors")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    params = [p for p in model.parameters() if p.requires_grad]

    def fwd():
        with torch.inference_mode():
            return model(input_ids=ids, attention_mask=mask, labels=ids).loss.item()

    eps, lr = 1e-3, 1e-6
    def perturb(seed, scale):
        torch.manual_seed(seed)
        for p in params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.device, dtype=p.dtype)
            p.data = p.data + scale * z * eps
    state = {"seed": 0}
    def mezo_step():
        state["seed"] += 1; s = state["seed"]
        perturb(s, 1); l1 = fwd()
        perturb(s, -2); l2 = fwd()
        perturb(s, 1)
        g = (l1 - l2) / (2 * eps)
        torch.manual_seed(s)
        for p in params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.device, dtype=p.dtype)
            p.data = p.data - lr * g * z

    def med(fn):
        for _ in range(2): fn()
        ts = []
        for _ in range(reps):
            t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        return statistics.median(ts)
    print(json.dumps(dict(t_forward_s=med(fwd), t_mezo_step_s=med(mezo_step), params=sum(p.numel() for p in params),
                          torch=torch.__version__, threads=threads)), flush=True)

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2, int(sys.argv[3]) if len(sys.argv) > 3 else 9)
