"""Golden data for the model variants the shared fixtures do not cover.

Run with the reference stack of ../fixtures/versions.json (transformers 5.17.0, torch
2.11.0): `python make_variants.py` writes one folder per variant: config.json + weights
(save_pretrained; llama3-gqa-bias sharded into an index + shards) and golden.safetensors
with input_ids, attention_mask (row 1 right-padded, row 2 left-padded), labels (-100 at
padding and at the first token of the left-padded row, whose predicting position is a
pad), logits, loss, row_loss, hidden_0..hidden_L, like ../fixtures. Weights are the
seeded random init widened by N(0, 0.05) noise so that numeric slips show.
"""
import os
import torch
import transformers
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))

VARIANTS = {
    # OPT-350m layout: post-LN (no final layer norm), project_in/out (word_embed_proj_dim 16).
    "opt-350m-style": transformers.OPTConfig(
        vocab_size=128, hidden_size=32, word_embed_proj_dim=16, num_hidden_layers=2, num_attention_heads=4,
        ffn_dim=64, max_position_embeddings=64, do_layer_norm_before=False, pad_token_id=1, bos_token_id=2,
        eos_token_id=2, dropout=0.0),
    # No biases, LayerNorm without affine parameters, untied lm_head.
    "opt-nobias-untied": transformers.OPTConfig(
        vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, ffn_dim=64,
        max_position_embeddings=64, enable_bias=False, layer_norm_elementwise_affine=False,
        tie_word_embeddings=False, pad_token_id=1, bos_token_id=2, eos_token_id=2, dropout=0.0),
    # Llama 3.1 rope scaling with all three frequency bands hit (head_dim 16: wavelength
    # 6.3 < 16 kept, 20 and 63 interpolated, 199 and up > 64 divided), head_dim 16 !=
    # hidden/heads 8, GQA 4 -> 2, attention and MLP biases, tied embeddings.
    "llama3-gqa-bias": transformers.LlamaConfig(
        vocab_size=128, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=16, max_position_embeddings=256, rms_norm_eps=1e-5,
        rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
        attention_bias=True, mlp_bias=True, tie_word_embeddings=True, pad_token_id=0, bos_token_id=1,
        eos_token_id=2),
}


def main():
    for i, (name, cfg) in enumerate(VARIANTS.items()):
        torch.manual_seed(1000 + i)
        cfg._attn_implementation = "sdpa"
        model = transformers.AutoModelForCausalLM.from_config(cfg).eval()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.05)
        out = os.path.join(HERE, name)
        os.makedirs(out, exist_ok=True)
        shard = "20KB" if name.startswith("llama") else "50MB"
        model.save_pretrained(out, max_shard_size=shard)
        os.remove(os.path.join(out, "generation_config.json"))
        B, T, pad = 3, 24, cfg.pad_token_id
        ids = torch.randint(3, cfg.vocab_size, (B, T))
        mask = torch.ones(B, T, dtype=torch.long)
        mask[1, -5:] = 0
        mask[2, :7] = 0
        ids[mask == 0] = pad
        # -100 at padding and at a target predicted from a padding position (the first
        # token of a left-padded row): those logits are implementation-defined.
        prev = torch.cat([mask[:, :1], mask[:, :-1]], 1)
        labels = ids.masked_fill((mask == 0) | (prev == 0), -100)
        with torch.no_grad():
            o = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        logits = o.logits.float()
        nll = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, cfg.vocab_size), labels[:, 1:].reshape(-1),
                                                ignore_index=-100, reduction="none").view(B, T - 1)
        valid = (labels[:, 1:] != -100).float()
        g = {"input_ids": ids, "attention_mask": mask, "labels": labels, "logits": logits,
             "loss": (nll.sum() / valid.sum()).reshape(1), "row_loss": nll.sum(1) / valid.sum(1)}
        for k, h in enumerate(o.hidden_states):
            g[f"hidden_{k}"] = h.contiguous()
        save_file(g, os.path.join(out, "golden.safetensors"))
        print(name, sorted(os.listdir(out)))


if __name__ == "__main__":
    main()
