// OPT and LLaMA decoders in LibTorch (see model.h). Mirrors transformers 5.x
// modeling_opt.py / modeling_llama.py with the SDPA attention path.
// [SECTION] CPU matrix products (oneDNN or MKL, model.h CpuGemm)
// [SECTION] modules: Linear, Norm, Layer
// [SECTION] Impl: parameter registry, forward
// [SECTION] CausalLM: load, random, save, blocks, adapters
// [SECTION] LoRA
// [SECTION] loss helpers
#include "core/llm/torch/model.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Reduction.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/embedding.h>
#include <ATen/ops/full.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/mkldnn_linear.h>
#include <ATen/Context.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/pow.h>
#include <ATen/ops/scaled_dot_product_attention.h>
#include <ATen/ops/silu.h>
#include <ATen/ops/zeros.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include "core/llm/io/safetensors.h"
#include "core/llm/torch/tensor_io.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

std::string shape_text(at::IntArrayRef s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string_view hf_dtype_name(c10::ScalarType t) {
  return t == c10::ScalarType::BFloat16 ? "bfloat16" : t == c10::ScalarType::Half ? "float16" : "float32";
}

// splitmix64: derives independent per-adapter seeds from one user seed.
uint64_t mix_seed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// ---------------------------------------------------------------------------------------
// [SECTION] CPU matrix products (model.h CpuGemm; docs/llm-engine.md "CPU matrix products")

CpuGemm resolve_cpu_gemm(CpuGemm g) {
  if (g != CpuGemm::Auto) return g == CpuGemm::OneDnn && !at::hasMKLDNN() ? CpuGemm::Mkl : g;
  return at::hasMKLDNN() && __builtin_cpu_supports("avx512f") ? CpuGemm::OneDnn : CpuGemm::Mkl;
}

CpuGemm cpu_gemm_from_env() {
  const char* e = std::getenv("ZOSCOPE_CPU_GEMM");
  if (!e || !*e || std::strcmp(e, "auto") == 0) return resolve_cpu_gemm(CpuGemm::Auto);
  if (std::strcmp(e, "mkl") == 0) return CpuGemm::Mkl;
  if (std::strcmp(e, "onednn") == 0) return resolve_cpu_gemm(CpuGemm::OneDnn);
  fail("ZOSCOPE_CPU_GEMM", std::string("'") + e + "' is not one of mkl, onednn, auto");
}

std::atomic<int64_t> g_onednn_products{0};

std::atomic<CpuGemm>& cpu_gemm_state() {
  static std::atomic<CpuGemm> g{cpu_gemm_from_env()};
  return g;
}

// Whether zs::linear sends x @ w^T + b to oneDNN (model.h).
bool onednn_takes(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  const int64_t K = x.size(-1), rows = K ? x.numel() / K : 0;
  const bool grad = at::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad() || (b.defined() && b.requires_grad()));
  return !grad && rows >= kOneDnnMinRows && x.device().is_cpu() && x.scalar_type() == at::kFloat &&
         w.scalar_type() == at::kFloat && (!b.defined() || b.scalar_type() == at::kFloat) &&
         cpu_gemm_state().load() == CpuGemm::OneDnn;
}

// ---------------------------------------------------------------------------------------
// [SECTION] modules

struct Linear {
  std::string name;  // module path, e.g. "model.layers.0.self_attn.q_proj"
  at::Tensor weight, bias;  // bias undefined when the config has none
  std::vector<std::shared_ptr<LinearAdapter>> adapters;

  at::Tensor operator()(const at::Tensor& x) const {
    at::Tensor y = zs::linear(x, weight, bias);
    for (const auto& a : adapters) y = a->forward(x, y);
    return y;
  }
};

struct Norm {
  at::Tensor weight, bias;  // undefined when absent (OPT layer_norm_elementwise_affine false)
  double eps = 1e-5;
  bool rms = false;

  at::Tensor operator()(const at::Tensor& x) const {
    if (!rms) return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
    // LlamaRMSNorm: statistics in fp32, back to the storage dtype, then the weight.
    const at::Tensor xf = x.to(at::kFloat);
    return weight.mul(xf.mul(xf.pow(2).mean(-1, true).add(eps).rsqrt()).to(x.scalar_type()));
  }
};

struct Layer {
  Norm attn_norm, mlp_norm;  // OPT self_attn_layer_norm / final_layer_norm; LLaMA input_ / post_attention_layernorm
  Linear q, k, v, o;         // OPT o = out_proj
  Linear fc1, fc2;           // OPT
  Linear gate, up, down;     // LLaMA
};

enum class Init { Normal, Zero, One };

struct Slot {
  std::string name;
  at::Tensor* t;
  std::vector<int64_t> shape;
  Init init;
  int64_t zero_row;  // embedding padding row, zeroed at random init (-1: none)
};

// Per-forward attention inputs shared by all layers.
struct AttnCtx {
  at::Tensor mask;      // [B, 1, T, T] bool (true = attend), undefined: causal only
  at::Tensor cos, sin;  // LLaMA RoPE tables [T, head_dim] in the storage dtype
  // ForwardOptions::positions: the selected query of each row (last layer only).
  at::Tensor pos;                // [B] int64
  at::Tensor sel_mask;           // [B, 1, 1, T] bool: the keys the selected query sees
  at::Tensor sel_cos, sel_sin;   // LLaMA: [B, 1, 1, head_dim]
};

// Rows pos[b] of h [B, T, C] as [B, 1, C].
at::Tensor take_rows(const at::Tensor& h, const at::Tensor& pos) {
  return h.gather(1, pos.view({-1, 1, 1}).expand({h.size(0), 1, h.size(2)}));
}

at::Tensor rotate_half(const at::Tensor& x) {
  const int64_t h = x.size(-1) / 2;
  return at::cat({x.narrow(-1, h, h).neg(), x.narrow(-1, 0, h)}, -1);
}

// Causal + padding mask. A query that sees no token at or before it (the pads of a left-
// padded row) attends causally to everything instead, so no softmax row is empty: its
// output is garbage either way, and the rows of real tokens are unaffected.
at::Tensor attention_mask_4d(const at::Tensor& mask, int64_t T) {
  const at::Tensor valid = mask.to(at::kBool);
  const at::Tensor blind = mask.to(at::kLong).cumsum(1).eq(0);
  const at::Tensor causal = at::ones({T, T}, at::TensorOptions().dtype(at::kBool).device(mask.device())).tril();
  return causal.unsqueeze(0).logical_and(valid.unsqueeze(1).logical_or(blind.unsqueeze(2))).unsqueeze(1);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// [SECTION] Impl

struct CausalLM::Impl {
  ModelConfig cfg;
  ModelOptions opt;
  at::Tensor embed_tokens, embed_positions, lm_head_weight;  // lm_head_weight undefined when tied
  Linear project_in, project_out;                            // OPT word_embed_proj_dim != hidden_size
  Norm final_norm;
  std::vector<Layer> layers;
  at::Tensor inv_freq;             // LLaMA RoPE, fp32 on the device
  std::vector<Slot> slots;         // every base parameter, transformers order
  std::vector<Linear*> linears;    // adapter attachment points, module order
  bool base_trainable = true;
  bool autograd = false;

  bool is_opt() const { return cfg.arch == ModelArch::Opt; }
  // Each slot's checkpoint tensor, in slot order; zs::Error naming the file and tensor when
  // one is missing, mis-shaped, not a float type, or not part of the model.
  std::vector<const st::TensorView*> match_weights(const st::Checkpoint& ck) const;

  void add(const std::string& name, at::Tensor* t, std::vector<int64_t> shape, Init init, int64_t zero_row = -1) {
    slots.push_back(Slot{name, t, std::move(shape), init, zero_row});
  }
  void add_linear(Linear& l, const std::string& name, int64_t in, int64_t out, bool bias) {
    l.name = name;
    add(name + ".weight", &l.weight, {out, in}, Init::Normal);
    if (bias) add(name + ".bias", &l.bias, {out}, Init::Zero);
    linears.push_back(&l);
  }
  void add_norm(Norm& n, const std::string& name, int64_t dim) {
    n.rms = !is_opt();
    n.eps = is_opt() ? 1e-5 : cfg.rms_norm_eps;  // OPT uses nn.LayerNorm's default eps
    if (!is_opt() || cfg.layer_norm_elementwise_affine) add(name + ".weight", &n.weight, {dim}, Init::One);
    if (is_opt() && cfg.layer_norm_elementwise_affine) add(name + ".bias", &n.bias, {dim}, Init::Zero);
  }

  // The parameter registry in transformers' named_parameters() order (the order of the
  // modules' __init__), which is also the order of blocks().
  void build() {
    const ModelConfig& c = cfg;
    layers.resize(static_cast<size_t>(c.num_layers));  // never resized again: linears points into it
    const int64_t H = c.hidden_size, E = c.embed_dim(), F = c.ffn_dim, V = c.vocab_size;
    const int64_t pad = c.pad_token_id.value_or(-1);
    if (is_opt()) {
      const std::string p = "model.decoder.";
      const bool b = c.enable_bias;
      add(p + "embed_tokens.weight", &embed_tokens, {V, E}, Init::Normal, pad);
      add(p + "embed_positions.weight", &embed_positions, {c.max_position_embeddings + 2, H}, Init::Normal);
      if (E != H) {
        add_linear(project_out, p + "project_out", H, E, false);
        add_linear(project_in, p + "project_in", E, H, false);
      }
      if (c.has_final_norm()) add_norm(final_norm, p + "final_layer_norm", H);
      for (int64_t i = 0; i < c.num_layers; ++i) {
        Layer& L = layers[static_cast<size_t>(i)];
        const std::string lp = p + "layers." + std::to_string(i) + ".";
        add_linear(L.k, lp + "self_attn.k_proj", H, H, b);
        add_linear(L.v, lp + "self_attn.v_proj", H, H, b);
        add_linear(L.q, lp + "self_attn.q_proj", H, H, b);
        add_linear(L.o, lp + "self_attn.out_proj", H, H, b);
        add_norm(L.attn_norm, lp + "self_attn_layer_norm", H);
        add_linear(L.fc1, lp + "fc1", H, F, b);
        add_linear(L.fc2, lp + "fc2", F, H, b);
        add_norm(L.mlp_norm, lp + "final_layer_norm", H);
      }
    } else {
      const int64_t q_out = c.num_heads * c.head_dim, kv_out = c.num_kv_heads * c.head_dim;
      add("model.embed_tokens.weight", &embed_tokens, {V, H}, Init::Normal, pad);
      for (int64_t i = 0; i < c.num_layers; ++i) {
        Layer& L = layers[static_cast<size_t>(i)];
        const std::string lp = "model.layers." + std::to_string(i) + ".";
        add_linear(L.q, lp + "self_attn.q_proj", H, q_out, c.attention_bias);
        add_linear(L.k, lp + "self_attn.k_proj", H, kv_out, c.attention_bias);
        add_linear(L.v, lp + "self_attn.v_proj", H, kv_out, c.attention_bias);
        add_linear(L.o, lp + "self_attn.o_proj", q_out, H, c.attention_bias);
        add_linear(L.gate, lp + "mlp.gate_proj", H, F, c.mlp_bias);
        add_linear(L.up, lp + "mlp.up_proj", H, F, c.mlp_bias);
        add_linear(L.down, lp + "mlp.down_proj", F, H, c.mlp_bias);
        add_norm(L.attn_norm, lp + "input_layernorm", H);
        add_norm(L.mlp_norm, lp + "post_attention_layernorm", H);
      }
      add_norm(final_norm, "model.norm", H);
    }
    if (!c.tie_word_embeddings) add("lm_head.weight", &lm_head_weight, {V, E}, Init::Normal);
  }

  // RoPE inverse frequencies as transformers computes them (fp32 pow), then the scaling.
  void build_rope() {
    if (is_opt()) return;
    const RopeParams& r = cfg.rope;
    const int64_t d = cfg.head_dim;
    at::Tensor f = at::pow(r.theta, at::arange(0, d, 2, at::kLong).to(at::kFloat).div(static_cast<double>(d))).reciprocal();
    if (r.type == RopeParams::Type::Linear) f = f.div(r.factor);
    if (r.type == RopeParams::Type::Llama3) {
      // Llama 3.1: keep high frequencies, divide low ones by factor, interpolate between.
      const double old_ctx = static_cast<double>(r.original_max_position_embeddings);
      const double low_wavelen = old_ctx / r.low_freq_factor, high_wavelen = old_ctx / r.high_freq_factor;
      float* p = f.data_ptr<float>();
      for (int64_t i = 0; i < f.numel(); ++i) {
        const double inv = p[i], wavelen = 2 * M_PI / inv;
        if (wavelen > low_wavelen) {
          p[i] = static_cast<float>(inv / r.factor);
        } else if (wavelen >= high_wavelen) {
          const double smooth = (old_ctx / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
          p[i] = static_cast<float>((1 - smooth) * inv / r.factor + smooth * inv);
        }
      }
    }
    inv_freq = f.to(opt.device);
  }

  // q, k and v as one product: on the CPU's oneDNN path only (there the weights are small
  // next to the work, and one call saves two layout conversions of x and two launches of a
  // narrow product); on a GPU the concatenation would triple the weights' memory traffic.
  static bool fused_qkv(const Layer& L, const at::Tensor& x) {
    return L.q.adapters.empty() && L.k.adapters.empty() && L.v.adapters.empty() &&
           L.q.bias.defined() == L.k.bias.defined() && L.q.bias.defined() == L.v.bias.defined() &&
           onednn_takes(x, L.q.weight, L.q.bias) && onednn_takes(x, L.k.weight, L.k.bias) &&
           onednn_takes(x, L.v.weight, L.v.bias);
  }

  // sel: queries at ctx.pos only (output [B, 1, H]); keys and values at every position.
  at::Tensor attention(const Layer& L, const at::Tensor& x, const AttnCtx& ctx, bool sel) const {
    const int64_t B = x.size(0), T = x.size(1), nh = cfg.num_heads, nkv = cfg.num_kv_heads, hd = cfg.head_dim;
    const int64_t Tq = sel ? 1 : T;
    at::Tensor q, k, v;
    if (!sel && fused_qkv(L, x)) {
      // One product for q, k and v (docs/llm-engine.md "CPU matrix products").
      const at::Tensor w = at::cat({L.q.weight, L.k.weight, L.v.weight}, 0);
      const at::Tensor b = L.q.bias.defined() ? at::cat({L.q.bias, L.k.bias, L.v.bias}, 0) : at::Tensor();
      const at::Tensor qkv = zs::linear(x, w, b);
      q = qkv.narrow(-1, 0, nh * hd).view({B, T, nh, hd}).transpose(1, 2);
      k = qkv.narrow(-1, nh * hd, nkv * hd).view({B, T, nkv, hd}).transpose(1, 2);
      v = qkv.narrow(-1, (nh + nkv) * hd, nkv * hd).view({B, T, nkv, hd}).transpose(1, 2);
    } else {
      q = L.q(sel ? take_rows(x, ctx.pos) : x).view({B, Tq, nh, hd}).transpose(1, 2);
      k = L.k(x).view({B, T, nkv, hd}).transpose(1, 2);
      v = L.v(x).view({B, T, nkv, hd}).transpose(1, 2);
    }
    if (ctx.cos.defined()) {
      const at::Tensor& qc = sel ? ctx.sel_cos : ctx.cos;
      const at::Tensor& qs = sel ? ctx.sel_sin : ctx.sin;
      q = q.mul(qc).add(rotate_half(q).mul(qs));
      k = k.mul(ctx.cos).add(rotate_half(k).mul(ctx.sin));
    }
    if (nkv != nh) {  // grouped-query attention: repeat each KV head for its query group
      k = k.unsqueeze(2).expand({B, nkv, nh / nkv, T, hd}).reshape({B, nh, T, hd});
      v = v.unsqueeze(2).expand({B, nkv, nh / nkv, T, hd}).reshape({B, nh, T, hd});
    }
    const at::Tensor& mask = sel ? ctx.sel_mask : ctx.mask;
    const bool causal_only = !mask.defined();
    // scale 1/sqrt(head_dim): OPT's scaling and LLaMA's, as transformers passes it to SDPA
    const at::Tensor o = at::scaled_dot_product_attention(
        q, k, v, causal_only ? std::nullopt : std::optional<at::Tensor>(mask), 0.0, causal_only,
        1.0 / std::sqrt(static_cast<double>(hd)));
    return L.o(o.transpose(1, 2).reshape({B, Tq, nh * hd}));
  }

  // sel: the last layer under ForwardOptions::positions (returns [B, 1, H]).
  at::Tensor opt_layer(const Layer& L, at::Tensor h, const AttnCtx& ctx, bool sel) const {
    const bool pre = cfg.do_layer_norm_before;
    const at::Tensor a = attention(L, pre ? L.attn_norm(h) : h, ctx, sel);
    h = (sel ? take_rows(h, ctx.pos) : h).add(a);
    if (!pre) h = L.attn_norm(h);
    h = h.add(L.fc2(L.fc1(pre ? L.mlp_norm(h) : h).relu()));
    if (!pre) h = L.mlp_norm(h);
    return h;
  }

  at::Tensor llama_layer(const Layer& L, at::Tensor h, const AttnCtx& ctx, bool sel) const {
    const at::Tensor a = attention(L, L.attn_norm(h), ctx, sel);
    h = (sel ? take_rows(h, ctx.pos) : h).add(a);
    const at::Tensor x = L.mlp_norm(h);
    return h.add(L.down(at::silu(L.gate(x)).mul(L.up(x))));
  }

  at::Tensor lm_head(const at::Tensor& h) const {
    return zs::linear(h, lm_head_weight.defined() ? lm_head_weight : embed_tokens);
  }

  ForwardResult forward(const at::Tensor& ids, const at::Tensor& mask_in, const ForwardOptions& fo) const {
    const int64_t T = ids.size(1);
    const int64_t pad = cfg.pad_token_id.value_or(-1);
    // No padding: the causal-only fused kernel, no [B, 1, T, T] mask (transformers' sdpa
    // path skips its mask the same way when it is all ones).
    const at::Tensor mask = mask_in.defined() && !mask_in.ne(0).all().item<bool>() ? mask_in : at::Tensor();
    AttnCtx ctx;
    if (mask.defined()) ctx.mask = attention_mask_4d(mask, T);
    const bool sel = fo.positions.defined();
    if (sel) {
      ctx.pos = fo.positions;
      ctx.sel_mask = mask.defined()
                         ? ctx.mask.gather(2, ctx.pos.view({-1, 1, 1, 1}).expand({ids.size(0), 1, 1, T}))
                         : at::arange(T, ctx.pos.options()).view({1, 1, 1, T}).le(ctx.pos.view({-1, 1, 1, 1}));
    }
    at::Tensor h = at::embedding(embed_tokens, ids, pad);
    if (is_opt()) {
      if (T > cfg.max_position_embeddings)
        fail("forward", "sequence length " + std::to_string(T) + " exceeds max_position_embeddings " +
                            std::to_string(cfg.max_position_embeddings));
      // OPTLearnedPositionalEmbedding: table row = (cumsum(mask) * mask - 1) + offset 2, so
      // the first real token of a left-padded row reads row 2 (position 0), pads row 1.
      const at::TensorOptions lo = at::TensorOptions().dtype(at::kLong).device(ids.device());
      const at::Tensor pos = mask.defined() ? mask.to(at::kLong).cumsum(1).mul(mask.to(at::kLong)).add(1)
                                            : at::arange(2, T + 2, lo).unsqueeze(0);
      if (project_in.weight.defined()) h = project_in(h);
      h = h.add(at::embedding(embed_positions, pos));
    } else {
      const at::Tensor pos = at::arange(T, at::TensorOptions().dtype(at::kFloat).device(ids.device()));
      const at::Tensor freqs = pos.unsqueeze(1).mul(inv_freq.unsqueeze(0));
      const at::Tensor emb = at::cat({freqs, freqs}, -1);
      ctx.cos = emb.cos().to(opt.dtype);
      ctx.sin = emb.sin().to(opt.dtype);
      if (sel) {
        ctx.sel_cos = ctx.cos.index_select(0, ctx.pos).view({ids.size(0), 1, 1, -1});
        ctx.sel_sin = ctx.sin.index_select(0, ctx.pos).view({ids.size(0), 1, 1, -1});
      }
    }
    ForwardResult r;
    if (fo.hidden_states) r.hidden_states.push_back(h);
    for (size_t i = 0; i < layers.size(); ++i) {
      const bool s = sel && i + 1 == layers.size();
      h = is_opt() ? opt_layer(layers[i], h, ctx, s) : llama_layer(layers[i], h, ctx, s);
      if (fo.hidden_states) r.hidden_states.push_back(h);
    }
    if (sel && layers.empty()) h = take_rows(h, ctx.pos);
    if (cfg.has_final_norm()) h = final_norm(h);
    if (project_out.weight.defined()) h = project_out(h);
    if (fo.hidden_states) r.hidden_states.back() = h;
    r.last_hidden = h;
    if (fo.logits) r.logits = lm_head(h);
    return r;
  }

  std::vector<Block> adapter_blocks() const {
    std::vector<Block> out;
    for (const Linear* l : linears)
      for (const auto& a : l->adapters)
        for (Block b : a->blocks()) {
          b.name = l->name + "." + b.name;
          out.push_back(std::move(b));
        }
    return out;
  }

  // requires_grad follows (autograd, base_trainable); outside inference mode by contract.
  void refresh_requires_grad() {
    for (const Slot& s : slots) s.t->requires_grad_(autograd && base_trainable);
    for (Block& b : adapter_blocks()) b.tensor.requires_grad_(autograd);
  }
};

// ---------------------------------------------------------------------------------------
// [SECTION] CausalLM

namespace {

void check_options(const ModelOptions& o) {
  if (o.dtype != c10::ScalarType::Float && o.dtype != c10::ScalarType::BFloat16 && o.dtype != c10::ScalarType::Half)
    fail("model options", std::string("storage dtype ") + c10::toString(o.dtype) + " is not float32, bfloat16 or float16");
}

bool is_float_dtype(st::DType d) { return d == st::DType::F32 || d == st::DType::F16 || d == st::DType::BF16; }

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

CausalLM::CausalLM(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CausalLM::CausalLM(CausalLM&&) noexcept = default;
CausalLM& CausalLM::operator=(CausalLM&&) noexcept = default;
CausalLM::~CausalLM() = default;

std::vector<const st::TensorView*> CausalLM::Impl::match_weights(const st::Checkpoint& ck) const {
  std::vector<const st::TensorView*> views;
  std::set<std::string> used;
  for (const Slot& s : slots) {
    std::string name = s.name;
    const st::TensorView* v = ck.find(name);
    // Checkpoints saved from the bare decoder (OPTModel / LlamaModel) lack the "model."
    // prefix; transformers adds it (base_model_prefix), so do we.
    if (!v && name.rfind("model.", 0) == 0) v = ck.find(name = s.name.substr(6));
    if (!v) fail(ck.source(), "tensor '" + s.name + "' is missing (required by config.json)");
    if (v->shape != s.shape)
      fail(*v->file, "tensor '" + name + "': shape " + shape_text(v->shape) + " does not match config.json " +
                         shape_text(s.shape));
    if (!is_float_dtype(v->dtype))
      fail(*v->file, "tensor '" + name + "': dtype " + std::string(st::dtype_name(v->dtype)) +
                         " is not a weight type (F32, F16, BF16)");
    views.push_back(v);
    used.insert(name);
  }
  for (const std::string& n : ck.names()) {
    if (used.count(n)) continue;
    if (cfg.tie_word_embeddings && n == "lm_head.weight") continue;  // a stored copy of the tied weight
    if (ends_with(n, ".rotary_emb.inv_freq")) continue;                   // buffer in old LLaMA checkpoints
    fail(*ck.get(n).file, "unexpected tensor '" + n + "' (not part of the " +
                              std::string(model_arch_name(cfg.arch)) + " model that config.json describes)");
  }
  return views;
}

CausalLM CausalLM::load(const std::string& dir, const ModelOptions& opt) {
  check_options(opt);
  auto impl = std::make_unique<Impl>();
  impl->cfg = model_config_load(dir);
  impl->opt = opt;
  impl->build();
  const st::Checkpoint ck = st::Checkpoint::open(dir);
  const std::vector<const st::TensorView*> views = impl->match_weights(ck);
  for (size_t i = 0; i < views.size(); ++i) *impl->slots[i].t = st_to_tensor(*views[i], opt.dtype, opt.device);
  impl->build_rope();
  return CausalLM(std::move(impl));
}

void CausalLM::check_weights(const std::string& dir) {
  Impl impl;
  impl.cfg = model_config_load(dir);
  impl.build();  // names and shapes only: the tensors stay undefined
  (void)impl.match_weights(st::Checkpoint::open(dir));
}

CausalLM CausalLM::random(ModelConfig config, uint64_t seed, const ModelOptions& opt) {
  check_options(opt);
  model_config_fill_derived(config);
  model_config_validate(config, "random model config");
  auto impl = std::make_unique<Impl>();
  impl->cfg = std::move(config);
  impl->opt = opt;
  impl->build();
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const at::TensorOptions f32 = at::TensorOptions().dtype(at::kFloat);
  for (const Slot& s : impl->slots) {
    at::Tensor t;
    if (s.init == Init::Normal) {
      t = at::empty(s.shape, f32).normal_(0.0, impl->cfg.init_std, gen);
      if (s.zero_row >= 0) t.select(0, s.zero_row).zero_();
    } else {
      t = s.init == Init::One ? at::ones(s.shape, f32) : at::zeros(s.shape, f32);
    }
    *s.t = t.to(opt.device, opt.dtype);
  }
  impl->build_rope();
  return CausalLM(std::move(impl));
}

void CausalLM::save(const std::string& dir) const {
  make_dirs(dir);
  std::vector<st::TensorWrite> w;
  for (const Block& b : parameters()) w.push_back(st_tensor_write(b.name, b.tensor.detach()));
  const std::string dir_slash = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  st::write(dir_slash + "model.safetensors", w, {{"format", "pt"}});
  atomic_write(dir_slash + "config.json", model_config_to_json(impl_->cfg, hf_dtype_name(impl_->opt.dtype)));
}

const ModelConfig& CausalLM::config() const { return impl_->cfg; }
c10::ScalarType CausalLM::dtype() const { return impl_->opt.dtype; }
c10::Device CausalLM::device() const { return impl_->opt.device; }

std::vector<Block> CausalLM::parameters() const {
  std::vector<Block> out;
  out.reserve(impl_->slots.size());
  for (const Slot& s : impl_->slots) {
    const bool m = s.t->dim() == 2;
    out.push_back(Block{s.name, *s.t, m, m});
  }
  return out;
}

std::vector<Block> CausalLM::blocks() const {
  std::vector<Block> out;
  if (impl_->base_trainable) out = parameters();
  for (Block& b : impl_->adapter_blocks()) out.push_back(std::move(b));
  return out;
}

void CausalLM::set_base_trainable(bool on) {
  impl_->base_trainable = on;
  impl_->refresh_requires_grad();
}
bool CausalLM::base_trainable() const { return impl_->base_trainable; }

std::vector<std::string> CausalLM::linear_names() const {
  std::vector<std::string> out;
  for (const Linear* l : impl_->linears) out.push_back(l->name);
  return out;
}

void CausalLM::attach_adapter(const std::string& linear, std::shared_ptr<LinearAdapter> adapter) {
  for (Linear* l : impl_->linears)
    if (l->name == linear) {
      l->adapters.push_back(std::move(adapter));
      impl_->refresh_requires_grad();
      return;
    }
  fail("attach_adapter", "no linear named '" + linear + "' in this model");
}

void CausalLM::enable_lora(const LoraOptions& opt) {
  if (opt.rank <= 0) fail("lora", "rank must be positive, got " + std::to_string(opt.rank));
  uint64_t n = 0;
  for (Linear* l : impl_->linears) {
    const std::string last = l->name.substr(l->name.rfind('.') + 1);
    if (std::find(opt.targets.begin(), opt.targets.end(), last) == opt.targets.end()) continue;
    l->adapters.push_back(std::make_shared<LoraAdapter>(l->weight.size(1), l->weight.size(0), opt.rank, opt.alpha,
                                                        mix_seed(opt.seed + n++), impl_->opt.device));
  }
  if (n == 0) fail("lora", "no linear matches the targets");
  impl_->base_trainable = false;
  impl_->refresh_requires_grad();
}

void CausalLM::clear_adapters() {
  for (Linear* l : impl_->linears) l->adapters.clear();
}

void CausalLM::set_autograd(bool on) {
  impl_->autograd = on;
  impl_->refresh_requires_grad();
}
bool CausalLM::autograd() const { return impl_->autograd; }

ForwardResult CausalLM::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                const ForwardOptions& opt) const {
  if (!input_ids.defined() || input_ids.dim() != 2 ||
      (input_ids.scalar_type() != at::kLong && input_ids.scalar_type() != at::kInt))
    fail("forward", "input_ids must be a [B, T] int64 tensor");
  if (input_ids.size(1) == 0) fail("forward", "input_ids has no tokens");
  if (attention_mask.defined() && attention_mask.sizes() != input_ids.sizes())
    fail("forward", "attention_mask shape " + shape_text(attention_mask.sizes()) + " differs from input_ids " +
                        shape_text(input_ids.sizes()));
  if (opt.positions.defined()) {
    if (opt.positions.dim() != 1 || opt.positions.size(0) != input_ids.size(0))
      fail("forward", "positions must be a [B] tensor, got " + shape_text(opt.positions.sizes()));
    if (opt.hidden_states) fail("forward", "positions and hidden_states cannot be combined");
  }
  std::optional<c10::InferenceMode> guard;
  if (!impl_->autograd) guard.emplace();
  const c10::Device dev = impl_->opt.device;
  ForwardOptions fo = opt;
  if (fo.positions.defined()) {
    fo.positions = fo.positions.to(dev, at::kLong);
    const int64_t T = input_ids.size(1);
    if (fo.positions.lt(0).any().item<bool>() || fo.positions.ge(T).any().item<bool>())
      fail("forward", "positions must lie in [0, " + std::to_string(T) + ")");
  }
  return impl_->forward(input_ids.to(dev), attention_mask.defined() ? attention_mask.to(dev) : at::Tensor(), fo);
}

at::Tensor CausalLM::logits(const at::Tensor& input_ids, const at::Tensor& attention_mask) const {
  return forward(input_ids, attention_mask).logits;
}

at::Tensor CausalLM::lm_head(const at::Tensor& last_hidden) const {
  std::optional<c10::InferenceMode> guard;
  if (!impl_->autograd) guard.emplace();
  return impl_->lm_head(last_hidden);
}

at::Tensor CausalLM::lm_loss(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                             const at::Tensor& labels) const {
  ForwardOptions fo;
  fo.logits = false;
  const at::Tensor h = forward(input_ids, attention_mask, fo).last_hidden;
  std::optional<c10::InferenceMode> guard;
  if (!impl_->autograd) guard.emplace();
  const int64_t B = h.size(0), T = h.size(1), C = h.size(2);
  if (labels.dim() != 2 || labels.size(0) != B || labels.size(1) != T)
    fail("lm_loss", "labels " + shape_text(labels.sizes()) + " must be [B, T] = " + shape_text(input_ids.sizes()));
  // Targets labels[:, 1:] predicted from positions [:, :-1] (transformers' ForCausalLMLoss);
  // the head runs on the valid positions only.
  const at::Tensor tg = labels.narrow(1, 1, T - 1).to(h.device(), at::kLong).reshape({-1});
  const at::Tensor valid = tg.ne(-100).nonzero().squeeze(1);
  const at::Tensor hv = h.narrow(1, 0, T - 1).reshape({-1, C}).index_select(0, valid);
  const at::Tensor tv = tg.index_select(0, valid);
  const int64_t n = hv.size(0), V = impl_->cfg.vocab_size;
  // CPU chunks of at most 16 MB of logits (2^22 floats), at least kOneDnnMinRows rows so that each
  // chunk's product goes through zs::linear's oneDNN path: with 2^18 floats (128 rows at this
  // model's vocabulary) re-laying out the head's weight for every chunk made the chunked head
  // slower than the whole [B, T, V] logits (bench_llm cpu, "chunked head" line).
  const int64_t rows = h.is_cuda() ? std::max<int64_t>(n, 1) : std::max<int64_t>(kOneDnnMinRows, (int64_t{1} << 22) / V);
  at::Tensor total = at::zeros({}, h.options().dtype(at::kFloat));
  for (int64_t r0 = 0; r0 < n; r0 += rows) {
    const int64_t len = std::min(rows, n - r0);
    const at::Tensor lg = impl_->lm_head(hv.narrow(0, r0, len)).to(at::kFloat);
    total = total.add(at::cross_entropy_loss(lg, tv.narrow(0, r0, len), {}, at::Reduction::Sum, -100));
  }
  return total.div(static_cast<double>(n));
}

void CausalLM::save_blocks(const std::string& path) const {
  std::vector<std::pair<std::string, at::Tensor>> t;
  for (const Block& b : blocks()) t.emplace_back(b.name, b.tensor.detach());
  save_tensors(path, t);
}

void CausalLM::load_blocks(const std::string& path) {
  const st::File f = st::File::open(path);
  const std::vector<Block> bs = blocks();
  std::set<std::string> names;
  at::NoGradGuard no_grad;
  for (const Block& b : bs) {
    names.insert(b.name);
    const st::TensorView* v = f.find(b.name);
    if (!v) fail(path, "tensor '" + b.name + "' is missing (a trainable block of this model)");
    if (v->shape != b.tensor.sizes().vec())
      fail(path, "tensor '" + b.name + "': shape " + shape_text(v->shape) + " but the block is " +
                     shape_text(b.tensor.sizes()));
    if (!is_float_dtype(v->dtype)) fail(path, "tensor '" + b.name + "': not a floating-point tensor");
    b.tensor.copy_(st_to_tensor(*v));
  }
  for (const auto& v : f.tensors())
    if (!names.count(v.name)) fail(path, "unexpected tensor '" + v.name + "' (not a trainable block of this model)");
}

// ---------------------------------------------------------------------------------------
// [SECTION] CPU matrix products

void set_cpu_gemm(CpuGemm g) { cpu_gemm_state().store(resolve_cpu_gemm(g)); }
CpuGemm cpu_gemm() { return cpu_gemm_state().load(); }
int64_t onednn_products() { return g_onednn_products.load(std::memory_order_relaxed); }

at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (!onednn_takes(x, w, b)) return at::linear(x, w, b);
  const int64_t K = x.size(-1), rows = x.numel() / K;
  // oneDNN's inner product in strict fp32 (no reduced-precision math mode is set).
  g_onednn_products.fetch_add(1, std::memory_order_relaxed);
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = w.size(0);
  return at::mkldnn_linear(x.reshape({rows, K}).contiguous().to_mkldnn(), w.contiguous(),
                           b.defined() ? b.contiguous() : b)
      .to_dense()
      .reshape(shape);
}

// ---------------------------------------------------------------------------------------
// [SECTION] LoRA

LoraAdapter::LoraAdapter(int64_t in, int64_t out, int64_t rank, double alpha, uint64_t gen_seed, c10::Device device)
    : scale_(alpha / static_cast<double>(rank)) {
  // kaiming_uniform_(a = sqrt(5)) as PEFT: gain sqrt(2 / (1 + 5)), bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in).
  at::Generator gen = at::detail::createCPUGenerator(gen_seed);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  a_ = at::empty({rank, in}, at::kFloat).uniform_(-bound, bound, gen).to(device);
  b_ = at::zeros({out, rank}, at::TensorOptions().dtype(at::kFloat).device(device));
}

at::Tensor LoraAdapter::forward(const at::Tensor& x, const at::Tensor& y) const {
  return y.add(at::linear(at::linear(x.to(at::kFloat), a_), b_).mul(scale_).to(y.scalar_type()));
}

std::vector<Block> LoraAdapter::blocks() const {
  return {Block{"lora_A.weight", a_, true, true}, Block{"lora_B.weight", b_, true, true}};
}

// ---------------------------------------------------------------------------------------
// [SECTION] loss helpers

namespace {

// Per-target negative log-likelihood [B, T-1] (0 at ignored targets) and the valid mask.
std::pair<at::Tensor, at::Tensor> shifted_nll(const at::Tensor& logits, const at::Tensor& labels) {
  if (logits.dim() != 3 || labels.dim() != 2 || logits.size(0) != labels.size(0) || logits.size(1) != labels.size(1))
    fail("lm_loss", "logits " + shape_text(logits.sizes()) + " and labels " + shape_text(labels.sizes()) +
                        " must be [B, T, V] and [B, T]");
  const int64_t B = logits.size(0), T = logits.size(1), V = logits.size(2);
  // Shift the labels, not the logits (as transformers' ForCausalLMLoss): logits stay a
  // view (no [B, T-1, V] copy) and the last position's target is -100.
  const at::Tensor lg = logits.to(at::kFloat).reshape({-1, V});
  const at::TensorOptions lo = at::TensorOptions().dtype(at::kLong).device(labels.device());
  const at::Tensor tg = at::cat({labels.narrow(1, 1, T - 1).to(at::kLong), at::full({B, 1}, -100, lo)}, 1);
  const at::Tensor nll = at::cross_entropy_loss(lg, tg.reshape({-1}), {}, at::Reduction::None, -100);
  return {nll.view({B, T}).narrow(1, 0, T - 1), tg.narrow(1, 0, T - 1).ne(-100).to(at::kFloat)};
}

}  // namespace

at::Tensor lm_labels(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  const at::Tensor valid = attention_mask.to(at::kBool);
  const int64_t T = valid.size(1);
  const at::Tensor prev = at::cat({valid.narrow(1, 0, 1), valid.narrow(1, 0, T - 1)}, 1);
  return input_ids.to(at::kLong).masked_fill(valid.logical_and(prev).logical_not(), -100);
}

at::Tensor lm_loss(const at::Tensor& logits, const at::Tensor& labels) {
  const auto [nll, valid] = shifted_nll(logits, labels);
  return nll.sum().div(valid.sum());
}

at::Tensor lm_row_loss(const at::Tensor& logits, const at::Tensor& labels) {
  const auto [nll, valid] = shifted_nll(logits, labels);
  return nll.sum(1).div(valid.sum(1).clamp_min(1));
}

SpanLogProb span_logprob(const at::Tensor& logits, const at::Tensor& input_ids, const at::Tensor& span_mask) {
  if (logits.dim() != 3 || input_ids.sizes() != logits.sizes().slice(0, 2) || span_mask.sizes() != input_ids.sizes())
    fail("span_logprob", "logits " + shape_text(logits.sizes()) + ", input_ids " + shape_text(input_ids.sizes()) +
                             " and span_mask " + shape_text(span_mask.sizes()) + " must be [B, T, V], [B, T], [B, T]");
  const int64_t T = logits.size(1);
  const at::Tensor lg = logits.narrow(1, 0, T - 1).to(at::kFloat);
  const at::Tensor tok = lg.gather(-1, input_ids.narrow(1, 1, T - 1).to(at::kLong).unsqueeze(-1)).squeeze(-1);
  const at::Tensor lp = tok.sub(lg.logsumexp(-1));
  const at::Tensor m = span_mask.narrow(1, 1, T - 1).to(at::kFloat);
  SpanLogProb r;
  r.sum = lp.mul(m).sum(1);
  r.count = m.sum(1);
  r.mean = r.sum.div(r.count.clamp_min(1));
  return r;
}

}  // namespace zs
