"""The MeZO reference step on the CPU, for bench_llm's CPU comparison (issue 4).

The step is the MeZO reference trainer's (same as mezo_reference_bench.py): per-parameter
torch.normal after a seed reset, four perturbation passes p.data = p.data + scale * z * eps
(+1, -2, +1, then the update), two forward passes. The loss is what MeZO's trainer computes
with a Hugging Face model, on the model and batches bench_llm wrote to DIR (config.json +
model.safetensors + batch_cls.safetensors + batch_lm.safetensors), fp32, same thread count:
  cls: prompt classification (SST-2 style, left-padded): a full forward with every
       position's logits (as the trainer calls the model), then cross-entropy over the label
       words' log-probabilities at the answer position (the last one).
  lm:  full-sequence LM loss, model(input_ids, attention_mask, labels=input_ids).loss.

Runs as a server so that bench_llm can interleave its timings with ours (the ratio then
does not depend on how busy the machine is): prints one JSON line with the losses at the
saved weights, then answers each stdin line "fwd|step cls|lm N" with one JSON line
{"t": [N times in seconds]}; "quit" ends it.
"""
import json, sys, time
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from transformers import OPTForCausalLM


def main(d, threads):
    torch.set_num_threads(threads)
    model = OPTForCausalLM.from_pretrained(d, torch_dtype=torch.float32).eval()
    cls = load_file(d + "/batch_cls.safetensors")
    lm = load_file(d + "/batch_lm.safetensors")
    params = [p for p in model.parameters() if p.requires_grad]

    def fwd_cls():
        with torch.inference_mode():
            logits = model(input_ids=cls["input_ids"], attention_mask=cls["attention_mask"]).logits
            lp = F.log_softmax(logits[:, -1].float(), dim=-1)[:, cls["words"]]
            return F.cross_entropy(lp, cls["labels"]).item()

    def fwd_lm():
        with torch.inference_mode():
            return model(input_ids=lm["input_ids"], attention_mask=lm["attention_mask"], labels=lm["input_ids"]).loss.item()

    eps, lr = 1e-3, 1e-6  # MeZO's defaults (Malladi et al. 2023, zo_eps 1e-3; lr 1e-6 for full fine-tuning)

    def perturb(seed, scale):
        torch.manual_seed(seed)
        for p in params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.device, dtype=p.dtype)
            p.data = p.data + scale * z * eps

    state = {"seed": 0}

    def mezo_step(fwd):
        state["seed"] += 1
        s = state["seed"]
        perturb(s, 1)
        l1 = fwd()
        perturb(s, -2)
        l2 = fwd()
        perturb(s, 1)
        g = (l1 - l2) / (2 * eps)
        torch.manual_seed(s)
        for p in params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.device, dtype=p.dtype)
            p.data = p.data - lr * g * z

    fwds = {"cls": fwd_cls, "lm": fwd_lm}
    print(json.dumps(dict(loss_cls=fwd_cls(), loss_lm=fwd_lm(), params=sum(p.numel() for p in params),
                          torch=torch.__version__, threads=threads)), flush=True)
    for line in sys.stdin:
        w = line.split()
        if not w or w[0] == "quit":
            break
        what, fwd, n = w[0], fwds[w[1]], int(w[2])
        fn = fwd if what == "fwd" else (lambda: mezo_step(fwd))
        ts = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        print(json.dumps({"t": ts}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
