// AdaZeta's tensor-train bottleneck adapters (Yang et al., EMNLP 2024, "AdaZeta: Adaptive
// Zeroth-Order Tensor-Train Adaption for Memory-Efficient Large Language Models
// Fine-Tuning"; official code yifanycc/AdaZeta, loretta/tuners/loretta_adp.py and
// loretta/tensor_layers/layers.py; docs/llm-engine.md#adazeta-adapters):
//   h -> h + s * up(relu(down(h))),   down: dim -> width,   up: width -> dim,
// where down and up are tensor-train (TT) matrices plus a bias, on the MLP linears only,
// base model frozen. The optimizer that trains them is core/opt/opt_adazeta.cpp.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <cstdint>
#include <vector>
#include "core/llm/torch/model.h"

namespace zs {

// Modes of one side of a TT matrix: n = n_1 n_2 ... n_m exactly (no padding), with
// m = min(k, Omega(n)) factors, each >= 2 (Omega: prime factors counted with
// multiplicity), the most balanced such factorisation (smallest largest factor, then
// smallest sum), in non-increasing order. 4096 -> [16, 16, 16] (the official shape),
// 768 -> [12, 8, 8], 128 -> [8, 4, 4]; a prime keeps one mode (97 -> [97]), 2p two
// ([p, 2]). n = 1 gives [1]. Fewer modes only cost parameters (a mode of size n is an
// (r, n, r) core), never correctness.
std::vector<int64_t> tt_modes(int64_t n, int k = 3);

// A TT matrix W (in x out) plus a bias b (out), fp32 whatever the model dtype. The cores
// G_1..G_d (d = #in modes + #out modes) have shapes (r_{k-1}, n_k, r_k), r_0 = r_d = 1,
// the others `rank`; the first cores carry the input modes, the last the output modes
// (the official TensorTrain over shape [16,16,16 | 4,4,4]). Row index i = (i_1, ..., i_m)
// and column index j = (j_1, ...) are row-major over their modes:
//   W[i, j] = G_1[:, i_1, :] ... G_m[:, i_m, :] G_{m+1}[:, j_1, :] ... G_d[:, j_., :].
// Init (TensorizedLinear_module: target_sdv = 1/sqrt(in + out); TensorTrain's
// build_factors_Gaussian of the tensorized-layer code it imports): G_k ~ N(0, 1) / sqrt(r_k)
// * target_sdv^(1/d), so every entry of W has variance 1/(in + out) exactly (each of the
// prod_{k<d} r_k terms of the sum has variance target^2 / prod_{k<d} r_k); bias
// U(-1/sqrt(out), 1/sqrt(out)) as nn.Linear. Drawn on the CPU from `seed`, then moved.
class TtMatrix {
 public:
  TtMatrix(int64_t in, int64_t out, int64_t rank, int modes, uint64_t seed, c10::Device device);

  int64_t in() const { return in_; }
  int64_t out() const { return out_; }
  const std::vector<int64_t>& in_modes() const { return in_modes_; }
  const std::vector<int64_t>& out_modes() const { return out_modes_; }
  const std::vector<at::Tensor>& cores() const { return cores_; }  // the trainable tensors
  const at::Tensor& bias() const { return bias_; }

  // A (in x r_m): the input-side cores contracted; B (r_m x out): the output-side ones.
  at::Tensor input_factor() const;
  at::Tensor output_factor() const;
  // The implied full matrix W = A B (in x out), for tests and inspection.
  at::Tensor full() const;
  // x [..., in] fp32 -> (x A) B + b [..., out]: A and B are contracted from the cores on
  // every call (the cores are what trains), O((in + out) r^2) -- far below x A itself.
  at::Tensor forward(const at::Tensor& x) const;

 private:
  int64_t in_ = 0, out_ = 0;
  std::vector<int64_t> in_modes_, out_modes_;
  std::vector<at::Tensor> cores_;
  at::Tensor bias_;
};

// Where the adapters sit on the MLP.
//   Outputs (default; docs/llm-engine.md#adazeta-adapters): on each target linear's output,
//     y -> y + s up(relu(down(y))), width of the linear's out features.
//   Official (loretta_adp.py): fc1 / gate_proj / up_proj carry an "mh_adapter" on their
//     INPUT, W (x + s a(x)) + b, and fc2 / down_proj an "output_adapter" on their output,
//     so every adapter works in the hidden size. LinearAdapter only sees (x, y), so the
//     input side is computed as y + W (s a(x)): one extra GEMM the size of that linear.
enum class AdaZetaPlacement { Outputs = 0, Official = 1 };

struct AdaZetaOptions {
  int64_t width = 64;  // bottleneck
  int64_t rank = 5;    // TT rank
  int modes = 3;       // modes per side (tt_modes)
  double scale = 1;    // s
  uint64_t seed = 0;   // per-adapter seeds derive from it (splitmix64)
  AdaZetaPlacement placement = AdaZetaPlacement::Outputs;
};

class TtAdapter final : public LinearAdapter {
 public:
  // dim: the features the adapter acts on. input_weight undefined: output side (h = y);
  // defined: input side of a linear with weight W [out, dim] (y += W s a(x)).
  TtAdapter(int64_t dim, const AdaZetaOptions& opt, uint64_t gen_seed, c10::Device device,
            at::Tensor input_weight = {});
  at::Tensor forward(const at::Tensor& x, const at::Tensor& y) const override;
  // Cores (3-D: is_matrix false, decay true) then bias (decay false), down then up:
  // "adapter_down.core_0", ..., "adapter_down.bias", "adapter_up.core_0", ...
  std::vector<Block> blocks() const override;
  // s * up(relu(down(h))) in fp32, h [..., dim] of any dtype.
  at::Tensor residual(const at::Tensor& h) const;
  const TtMatrix& down() const { return down_; }
  const TtMatrix& up() const { return up_; }
  bool input_side() const { return weight_.defined(); }

 private:
  TtMatrix down_, up_;
  double scale_;
  at::Tensor weight_;  // the linear's weight (input side only); shares the model's storage
};

// Attaches a TtAdapter to every MLP linear (OPT: fc1, fc2; LLaMA: gate_proj, up_proj,
// down_proj) in module order, freezes the base, and returns the adapters' parameter count.
// Throws zs::Error when the options are invalid or the model has no such linear.
int64_t enable_adazeta(CausalLM& model, const AdaZetaOptions& opt = {});

}  // namespace zs
