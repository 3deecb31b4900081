// Causal LMs in LibTorch: OPT (Zhang et al. 2022) and LLaMA (Touvron et al. 2023) decoders
// loaded from a Hugging Face folder (config.json + safetensors), bit-for-bit the
// computation of transformers 5.x up to float rounding, shaped for the zeroth-order
// engine (docs/llm-engine.md#models):
// - blocks(): the trainable tensors as an ordered list of named, contiguous handles. The
//   order is fixed: the base parameters in transformers' named_parameters() order (tied
//   lm_head once, as embed_tokens), then adapter tensors layer by layer, per linear in
//   module order. Block index b in this list is the b of Philox(s, b, i).
// - forward under c10::InferenceMode unless autograd is switched on (first-order Adam).
// - adapters on any linear (LoRA on q/v built in; bottleneck adapters plug in the same way).
// Storage dtype fp32/bf16/fp16 is chosen at load and every op computes in it, on the CPU
// too (LibTorch 2.x has fp16/bf16 CPU kernels for every op used here); RMSNorm, RoPE
// tables, softmax statistics and the loss helpers work in fp32 as transformers does.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "core/llm/io/model_config.h"

namespace zs {

// A trainable tensor. `tensor` shares storage with the model: in-place updates change it.
struct Block {
  std::string name;       // transformers name, e.g. "model.layers.0.mlp.up_proj.weight"
  at::Tensor tensor;      // contiguous
  bool is_matrix = false; // 2-D (weights, embeddings, LoRA A/B)
  bool decay = false;     // weight decay applies: 2-D tensors; never biases or norm weights
};

// A trainable add-on to one linear layer y = W x + b of the model. Adapters run in
// attachment order, each seeing the linear's input and the output so far.
class LinearAdapter {
 public:
  virtual ~LinearAdapter() = default;
  // x: the linear's input [..., in]; y: its output so far [..., out]; returns the new output.
  virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& y) const = 0;
  // Trainable tensors, named relative to the linear ("lora_A.weight").
  virtual std::vector<Block> blocks() const = 0;
};

// LoRA (Hu et al. 2021): y = W x + b + (alpha / r) B A x, A [r, in] kaiming-uniform
// (bound 1/sqrt(in), as PEFT), B [out, r] zero, so attaching changes nothing until B moves.
// A and B are fp32 whatever the storage dtype (the low-rank path computes in fp32).
struct LoraOptions {
  int64_t rank = 8;
  double alpha = 16;
  uint64_t seed = 0;                                 // A's init
  std::vector<std::string> targets = {"q_proj", "v_proj"};  // last name component of the linears
};

class LoraAdapter final : public LinearAdapter {
 public:
  // `gen_seed` seeds A's draw on the CPU (device-independent), then A moves to `device`.
  LoraAdapter(int64_t in, int64_t out, int64_t rank, double alpha, uint64_t gen_seed, c10::Device device);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& y) const override;
  std::vector<Block> blocks() const override;
  const at::Tensor& a() const { return a_; }
  const at::Tensor& b() const { return b_; }

 private:
  at::Tensor a_, b_;
  double scale_;
};

struct ModelOptions {
  c10::ScalarType dtype = c10::ScalarType::Float;  // Float, BFloat16 or Half
  c10::Device device = c10::Device(c10::DeviceType::CPU);
};

struct ForwardOptions {
  bool hidden_states = false;  // fill ForwardResult::hidden_states
  bool logits = true;          // compute the lm_head (false: last_hidden only)
  // [B] int64, optional: the one position per row whose output is needed (e.g. the answer
  // position of a prompt-classification batch). The last layer then runs its query, MLP
  // and the final norm at that position only (keys and values still cover every token),
  // and last_hidden / logits are [B, 1, ...] for those positions. Not with hidden_states.
  at::Tensor positions = {};
};

struct ForwardResult {
  at::Tensor logits;                       // [B, T, V], storage dtype
  at::Tensor last_hidden;                  // [B, T, embed_dim] after the final norm (+ OPT project_out);
                                           // [B, 1, embed_dim] with ForwardOptions::positions
  std::vector<at::Tensor> hidden_states;   // transformers output_hidden_states: embeddings
                                           // output, each layer's output, the last one
                                           // replaced by last_hidden (num_layers + 1)
};

class CausalLM {
 public:
  // Loads <dir>/config.json and <dir>/model.safetensors (or the sharded index). Throws
  // zs::Error naming the file and tensor on a missing, unexpected or mis-shaped tensor.
  static CausalLM load(const std::string& dir, const ModelOptions& opt = {});
  // What load() checks before it reads any tensor data: config.json and the safetensors
  // headers in <dir> agree (every tensor present with its shape and a float dtype, none
  // extra). Allocates no tensors (the fine-tuning preflight calls it).
  static void check_weights(const std::string& dir);
  // Random init as transformers' _init_weights: weights and embeddings N(0, init_std)
  // (the pad row of embed_tokens zero), biases 0, norm weights 1. Drawn on the CPU in
  // fp32 in blocks() order from one generator seeded with `seed`, so the same seed gives
  // the same model on every device (before rounding to the storage dtype).
  static CausalLM random(ModelConfig config, uint64_t seed, const ModelOptions& opt = {});

  CausalLM(CausalLM&&) noexcept;
  CausalLM& operator=(CausalLM&&) noexcept;
  ~CausalLM();

  // Writes <dir>/config.json and <dir>/model.safetensors (base weights in the storage
  // dtype, transformers names, tied lm_head omitted): transformers and load() read it.
  // Adapters are not included (see save_blocks).
  void save(const std::string& dir) const;

  const ModelConfig& config() const;
  c10::ScalarType dtype() const;
  c10::Device device() const;

  // Every base parameter in transformers order (trainable or not).
  std::vector<Block> parameters() const;
  // The trainable tensors in the documented order (header comment).
  std::vector<Block> blocks() const;

  // Base parameters trainable (full fine-tuning, the default) or frozen (adapters only).
  void set_base_trainable(bool on);
  bool base_trainable() const;

  // Names of the linears adapters can attach to, in module order
  // ("model.decoder.layers.0.self_attn.q_proj", ...).
  std::vector<std::string> linear_names() const;
  // Attaches to one linear; throws zs::Error for an unknown name.
  void attach_adapter(const std::string& linear, std::shared_ptr<LinearAdapter> adapter);
  // LoRA on every linear whose last name component is in opt.targets, then freezes the base.
  void enable_lora(const LoraOptions& opt);
  void clear_adapters();

  // Autograd on: blocks() get requires_grad and forward records the graph (first-order
  // baseline). Off (default): forward runs under c10::InferenceMode.
  void set_autograd(bool on);
  bool autograd() const;

  // input_ids [B, T] int64; attention_mask [B, T] (1 = token, 0 = padding; any integer,
  // bool or float dtype), or undefined for all tokens (then the causal-only fused kernel
  // runs). Padding may be on either side: OPT positions come from the mask's cumulative
  // sum, LLaMA's RoPE is relative; query rows with no visible token (left padding) attend
  // causally to everything so that no softmax row is empty (their outputs are garbage
  // and must be ignored, as in transformers). A mask without padding (all ones) runs the
  // causal-only kernel too (one check per forward).
  ForwardResult forward(const at::Tensor& input_ids, const at::Tensor& attention_mask = {},
                        const ForwardOptions& opt = {}) const;
  at::Tensor logits(const at::Tensor& input_ids, const at::Tensor& attention_mask = {}) const;
  // lm_head on final hidden states of any shape [..., embed_dim] (e.g. selected positions).
  at::Tensor lm_head(const at::Tensor& last_hidden) const;
  // lm_loss(logits(input_ids, attention_mask), labels) without the [B, T, V] logits: the
  // head and the log-softmax run on chunks of the valid target positions only (about 1 MB
  // of logits each on the CPU, so they stay in cache; one chunk on a GPU). Equal to it up
  // to float summation order. fp32 scalar.
  at::Tensor lm_loss(const at::Tensor& input_ids, const at::Tensor& attention_mask, const at::Tensor& labels) const;

  // The current blocks() as a safetensors file (optimizer checkpoints, adapters), and back:
  // load_blocks needs every block present with its shape and copies into the tensors.
  void save_blocks(const std::string& path) const;
  void load_blocks(const std::string& path);

 private:
  struct Impl;
  explicit CausalLM(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Which library computes the CPU fp32 matrix products of the model's linear layers
// (docs/llm-engine.md "CPU matrix products"). MKL in the torch wheel runs its AVX2 kernels
// on AMD CPUs; oneDNN (also in the wheel) runs AVX-512 on any CPU that has it, about 2.4x
// the MKL rate at this model's shapes on this project's AMD EPYC machine, in strict fp32.
// Auto: oneDNN when the CPU has AVX-512F and oneDNN is built in, else MKL. The choice
// depends on the CPU and the shapes only (never on timings), so every rank and every
// resumed run computes the same bits. ZOSCOPE_CPU_GEMM=mkl|onednn|auto sets the default.
enum class CpuGemm { Auto, Mkl, OneDnn };
void set_cpu_gemm(CpuGemm g);
CpuGemm cpu_gemm();  // the backend in effect (Auto resolved)
// x @ w^T + b as at::linear, through cpu_gemm() for CPU fp32 products of at least
// kOneDnnMinRows rows when no gradient is needed; at::linear otherwise.
inline constexpr int64_t kOneDnnMinRows = 64;
at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {});
int64_t onednn_products();  // how many products linear() has sent to oneDNN in this process

// Labels for the LM loss: input_ids where attention_mask is 1, -100 at padding and at a
// token whose predicting position is padding (the first token of a left-padded row: its
// logits come from a pad row), so the loss does not depend on the padding side. With right
// padding only this is transformers' labels = ids masked by attention_mask.
at::Tensor lm_labels(const at::Tensor& input_ids, const at::Tensor& attention_mask);
// Mean next-token cross-entropy over valid targets (HF: logits[:, :-1] vs labels[:, 1:],
// -100 ignored), fp32 scalar.
at::Tensor lm_loss(const at::Tensor& logits, const at::Tensor& labels);
// The same per row, [B] fp32; 0 for a row without any valid target.
at::Tensor lm_row_loss(const at::Tensor& logits, const at::Tensor& labels);

// Log-probabilities of the tokens of a span: for each row, over positions t >= 1 with
// span_mask[b, t] != 0, log p(input_ids[b, t] | tokens < t) from logits[b, t-1].
// Classification by label words compares `mean` across candidates.
struct SpanLogProb {
  at::Tensor sum;    // [B] fp32
  at::Tensor mean;   // [B] fp32, sum / span length (0 for an empty span)
  at::Tensor count;  // [B] fp32, span length
};
SpanLogProb span_logprob(const at::Tensor& logits, const at::Tensor& input_ids, const at::Tensor& span_mask);

}  // namespace zs
