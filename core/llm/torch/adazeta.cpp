// AdaZeta tensor-train adapters (see adazeta.h): mode factorisation, TT matrices with the
// (x A) B fast path of the official forward_tt_full_precision, the bottleneck adapter
// and its placement on the MLP.
#include "core/llm/torch/adazeta.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/relu.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include "core/rng/philox.h"
#include "core/util/error.h"

namespace zs {

namespace {

int prime_factor_count(int64_t n) {
  int c = 0;
  for (int64_t p = 2; p * p <= n; ++p)
    while (n % p == 0) {
      n /= p;
      ++c;
    }
  return c + (n > 1 ? 1 : 0);
}

// Depth-first over non-increasing factorisations of `rem` into `parts` factors in
// [2, cap], keeping the best by (largest factor, sum). The largest factor of a
// factorisation into `parts` factors is at least rem^(1/parts): smaller f are skipped.
void search_modes(int64_t rem, int parts, int64_t cap, std::vector<int64_t>& cur, std::vector<int64_t>& best) {
  if (parts == 1) {
    if (rem < 2 || rem > cap) return;
    cur.push_back(rem);
    auto sum = [](const std::vector<int64_t>& v) {
      int64_t s = 0;
      for (int64_t x : v) s += x;
      return s;
    };
    if (best.empty() || cur[0] < best[0] || (cur[0] == best[0] && sum(cur) < sum(best))) best = cur;
    cur.pop_back();
    return;
  }
  for (int64_t f = std::min(cap, rem / 2); f >= 2; --f) {
    if (rem % f) continue;
    if (std::pow(static_cast<double>(f), parts) < static_cast<double>(rem) * (1 - 1e-12)) break;
    cur.push_back(f);
    search_modes(rem / f, parts - 1, f, cur, best);
    cur.pop_back();
  }
}

// Contracts cores[b, e) over their shared ranks. Left: (n_b ... n_{e-1}) x r_e, row-major
// rows. Right: r_b x (n_b ... n_{e-1}), row-major columns. (tensordot chains of the official
// forward_tt_full_precision, as reshapes and matmuls.)
at::Tensor contract_left(const std::vector<at::Tensor>& c, size_t b, size_t e) {
  at::Tensor m = c[b].reshape({-1, c[b].size(2)});
  for (size_t k = b + 1; k < e; ++k) m = m.matmul(c[k].reshape({c[k].size(0), -1})).reshape({-1, c[k].size(2)});
  return m;
}

at::Tensor contract_right(const std::vector<at::Tensor>& c, size_t b, size_t e) {
  at::Tensor m = c[e - 1].reshape({c[e - 1].size(0), -1});
  for (size_t k = e - 1; k-- > b;) m = c[k].reshape({-1, c[k].size(2)}).matmul(m).reshape({c[k].size(0), -1});
  return m;
}

}  // namespace

std::vector<int64_t> tt_modes(int64_t n, int k) {
  if (n < 1 || k < 1)
    fail("tt modes", "need n >= 1 and k >= 1, got n = " + std::to_string(n) + ", k = " + std::to_string(k));
  const int m = std::min(k, prime_factor_count(n));
  if (m <= 1) return {n};
  std::vector<int64_t> cur, best;
  search_modes(n, m, n, cur, best);
  return best;
}

// ---------------------------------------------------------------------------------------
// TtMatrix

TtMatrix::TtMatrix(int64_t in, int64_t out, int64_t rank, int modes, uint64_t seed, c10::Device device)
    : in_(in), out_(out) {
  if (in < 1 || out < 1 || rank < 1 || modes < 1)
    fail("tt matrix", "need positive sizes, rank and modes (in " + std::to_string(in) + ", out " +
                          std::to_string(out) + ", rank " + std::to_string(rank) + ", modes " +
                          std::to_string(modes) + ")");
  in_modes_ = tt_modes(in, modes);
  out_modes_ = tt_modes(out, modes);
  std::vector<int64_t> n = in_modes_;
  n.insert(n.end(), out_modes_.begin(), out_modes_.end());
  const size_t d = n.size();
  // TensorTrain.build_factors_Gaussian: N(0, 1) / sqrt(r_k) * target_sdv^(1/d), target_sdv = (in + out)^(-1/2).
  const double target = 1.0 / std::sqrt(static_cast<double>(in + out));
  at::Generator gen = at::detail::createCPUGenerator(seed);
  for (size_t k = 0; k < d; ++k) {
    const int64_t r0 = k == 0 ? 1 : rank, r1 = k + 1 == d ? 1 : rank;
    const double sd = std::pow(target, 1.0 / static_cast<double>(d)) / std::sqrt(static_cast<double>(r1));
    cores_.push_back(at::empty({r0, n[k], r1}, at::kFloat).normal_(0.0, sd, gen).to(device));
  }
  // TensorizedLinear_module bias: U(-1/sqrt(out), 1/sqrt(out)).
  const double bound = 1.0 / std::sqrt(static_cast<double>(out));
  bias_ = at::empty({out}, at::kFloat).uniform_(-bound, bound, gen).to(device);
}

at::Tensor TtMatrix::input_factor() const { return contract_left(cores_, 0, in_modes_.size()); }

at::Tensor TtMatrix::output_factor() const { return contract_right(cores_, in_modes_.size(), cores_.size()); }

at::Tensor TtMatrix::full() const { return input_factor().matmul(output_factor()); }

at::Tensor TtMatrix::forward(const at::Tensor& x) const {
  return x.matmul(input_factor()).matmul(output_factor()).add(bias_);
}

// ---------------------------------------------------------------------------------------
// TtAdapter

TtAdapter::TtAdapter(int64_t dim, const AdaZetaOptions& opt, uint64_t gen_seed, c10::Device device,
                     at::Tensor input_weight)
    : down_(dim, opt.width, opt.rank, opt.modes, gen_seed, device),
      up_(opt.width, dim, opt.rank, opt.modes, splitmix64(gen_seed), device),
      scale_(opt.scale),
      weight_(std::move(input_weight)) {
  if (weight_.defined() && weight_.size(1) != dim)
    fail("adazeta", "input-side adapter of width " + std::to_string(dim) + " on a linear with " +
                        std::to_string(weight_.size(1)) + " inputs");
}

at::Tensor TtAdapter::residual(const at::Tensor& h) const {
  return up_.forward(at::relu(down_.forward(h.to(at::kFloat)))).mul(scale_);
}

at::Tensor TtAdapter::forward(const at::Tensor& x, const at::Tensor& y) const {
  // loretta_adp.py: the adapter path in fp32, cast back, added to the residual stream.
  if (!weight_.defined()) return y.add(residual(y).to(y.scalar_type()));
  return y.add(at::linear(residual(x).to(y.scalar_type()), weight_));  // W (x + s a(x)) + b = y + W s a(x)
}

std::vector<Block> TtAdapter::blocks() const {
  std::vector<Block> out;
  auto add = [&out](const std::string& name, const TtMatrix& m) {
    for (size_t k = 0; k < m.cores().size(); ++k)
      out.push_back(Block{name + ".core_" + std::to_string(k), m.cores()[k], false, true});
    out.push_back(Block{name + ".bias", m.bias(), false, false});
  };
  add("adapter_down", down_);
  add("adapter_up", up_);
  return out;
}

// ---------------------------------------------------------------------------------------
// enable_adazeta

int64_t enable_adazeta(CausalLM& model, const AdaZetaOptions& opt) {
  if (opt.width < 1 || opt.rank < 1 || opt.modes < 1)
    fail("adazeta", "width, rank and modes must be positive (got " + std::to_string(opt.width) + ", " +
                        std::to_string(opt.rank) + ", " + std::to_string(opt.modes) + ")");
  // TRANSFORMERS_MODELS_TO_ADAPTER_TYPE_MAPPING of loretta_adp.py: mh_adapter (input side
  // in the official placement) and output_adapter.
  auto is_mh = [](const std::string& s) { return s == "fc1" || s == "gate_proj" || s == "up_proj"; };
  auto is_output = [](const std::string& s) { return s == "fc2" || s == "down_proj"; };
  std::map<std::string, at::Tensor> weights;
  for (const Block& p : model.parameters()) weights.emplace(p.name, p.tensor);
  uint64_t n = 0;
  int64_t count = 0;
  for (const std::string& name : model.linear_names()) {
    const std::string last = name.substr(name.rfind('.') + 1);
    if (!is_mh(last) && !is_output(last)) continue;
    const auto w = weights.find(name + ".weight");
    if (w == weights.end()) fail("adazeta", "linear '" + name + "' has no weight parameter");
    const bool input_side = is_mh(last) && opt.placement == AdaZetaPlacement::Official;
    const int64_t dim = input_side ? w->second.size(1) : w->second.size(0);  // weight [out, in]
    auto a = std::make_shared<TtAdapter>(dim, opt, splitmix64(opt.seed + n++), model.device(),
                                         input_side ? w->second : at::Tensor());
    for (const Block& b : a->blocks()) count += b.tensor.numel();
    model.attach_adapter(name, std::move(a));
  }
  if (n == 0) fail("adazeta", "the model has no MLP linear (fc1/fc2 or gate_proj/up_proj/down_proj)");
  model.set_base_trainable(false);
  return count;
}

}  // namespace zs
