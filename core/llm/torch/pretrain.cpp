// First-order pretraining of the embedded default model and its cache (see pretrain.h).
#include "core/llm/torch/pretrain.h"
#include <ATen/ops/full.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <c10/core/GradMode.h>
#include <signal.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include "core/llm/text/corpus.h"
#include "core/llm/text/data.h"
#include "core/llm/text/tokenizer.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/task_torch.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace fs = std::filesystem;

namespace {

void check_options(const PretrainOptions& o, const ModelConfig& c) {
  const auto bad = [](const std::string& f, const std::string& m) { fail("pretrain", "option '" + f + "': " + m); };
  if (o.steps < 1) bad("steps", "must be >= 1");
  if (o.batch_size < 1) bad("batch_size", "must be >= 1");
  if (o.seq_len < 2 || o.seq_len > c.max_position_embeddings)
    bad("seq_len", "must be in [2, " + std::to_string(c.max_position_embeddings) + "] (the model's positions)");
  if (!(o.lr > 0)) bad("lr", "must be > 0");
  if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1)) bad("beta1/beta2", "must be in [0, 1)");
  if (!(o.eps > 0)) bad("eps", "must be > 0");
  if (!(o.weight_decay >= 0)) bad("weight_decay", "must be >= 0");
  if (o.warmup < 0) bad("warmup", "must be >= 0");
}

double lr_at(const PretrainOptions& o, int64_t t) {
  if (t < o.warmup) return o.lr * static_cast<double>(t + 1) / static_cast<double>(o.warmup);
  const double span = static_cast<double>(std::max<int64_t>(1, o.steps - o.warmup));
  const double progress = static_cast<double>(t - o.warmup) / span;
  return o.lr * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress)));
}

}  // namespace

PretrainResult pretrain_lm(CausalLM& model, const Tokenizer& tok, const PretrainOptions& opt) {
  check_options(opt, model.config());
  if (tok.bos_id() < 0) fail("pretrain", "the tokenizer has no BOS token");
  const bool autograd_before = model.autograd();
  model.set_autograd(true);
  const std::vector<Block> blocks = model.blocks();
  std::vector<at::Tensor> m, v;
  for (const Block& b : blocks) {
    m.push_back(at::zeros_like(b.tensor, at::kFloat));
    v.push_back(at::zeros_like(b.tensor, at::kFloat));
  }
  PretrainResult res;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t B = opt.batch_size;
  const int64_t pad = tok.pad_id() >= 0 ? tok.pad_id() : 0;
  const int64_t tail = std::max<int64_t>(1, opt.steps / 10);
  double tail_sum = 0;
  for (int64_t t = 0; t < opt.steps; ++t) {
    std::vector<std::vector<int32_t>> docs;
    int64_t T = 0;
    for (int64_t j = 0; j < B; ++j) {
      // Packed row: "</s> doc </s> doc ..." from documents (t*B + j)*16 + k, cut to seq_len.
      std::vector<int32_t> row;
      for (uint64_t k = 0; k < 16 && static_cast<int64_t>(row.size()) < opt.seq_len; ++k) {
        const std::vector<int32_t> d =
            tok.encode_for_model(sentiment_document(opt.data_seed, static_cast<uint64_t>(t * B + j) * 16 + k), true);
        row.insert(row.end(), d.begin(), d.end());
      }
      if (static_cast<int64_t>(row.size()) > opt.seq_len) row.resize(static_cast<size_t>(opt.seq_len));
      T = std::max<int64_t>(T, static_cast<int64_t>(row.size()));
      docs.push_back(std::move(row));
    }
    at::Tensor ids = at::full({B, T}, pad, at::TensorOptions().dtype(at::kLong));
    at::Tensor mask = at::zeros({B, T}, at::TensorOptions().dtype(at::kLong));
    for (int64_t j = 0; j < B; ++j)
      for (size_t k = 0; k < docs[static_cast<size_t>(j)].size(); ++k) {
        ids.data_ptr<int64_t>()[j * T + static_cast<int64_t>(k)] = docs[static_cast<size_t>(j)][k];
        mask.data_ptr<int64_t>()[j * T + static_cast<int64_t>(k)] = 1;
      }
    ids = ids.to(model.device());
    mask = mask.to(model.device());
    const at::Tensor loss = lm_loss(model.logits(ids, mask), lm_labels(ids, mask));
    res.tokens += mask.sum().item<int64_t>();
    loss.backward();
    const double l = loss.item<double>();
    if (!std::isfinite(l)) fail("pretrain", "loss is not finite at step " + std::to_string(t));
    {
      c10::NoGradGuard no_grad;
      double sq = 0;
      for (const Block& b : blocks) sq += b.tensor.grad().to(at::kFloat).pow(2).sum().item<double>();
      const double norm = std::sqrt(sq);
      const double scale = opt.clip_norm > 0 && norm > opt.clip_norm ? opt.clip_norm / norm : 1.0;
      const double lr = lr_at(opt, t);
      const double bc1 = 1 - std::pow(opt.beta1, static_cast<double>(t + 1));
      const double bc2 = 1 - std::pow(opt.beta2, static_cast<double>(t + 1));
      for (size_t i = 0; i < blocks.size(); ++i) {
        at::Tensor p = blocks[i].tensor;
        const at::Tensor g = p.grad().to(at::kFloat).mul(scale);
        m[i].mul_(opt.beta1).add_(g, 1 - opt.beta1);
        v[i].mul_(opt.beta2).addcmul_(g, g, 1 - opt.beta2);
        at::Tensor upd = m[i].div(bc1).div_(v[i].div(bc2).sqrt_().add_(opt.eps));
        if (blocks[i].decay && opt.weight_decay > 0) upd.add_(p.to(at::kFloat), opt.weight_decay);
        p.sub_(upd.mul_(lr).to(p.scalar_type()));
        p.mutable_grad() = at::Tensor();
      }
    }
    if (t == 0) res.first_loss = l;
    if (t >= opt.steps - tail) tail_sum += l;
    if (opt.on_step) opt.on_step(t, l);
  }
  res.last_loss = tail_sum / static_cast<double>(tail);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  model.set_autograd(autograd_before);
  return res;
}

ModelConfig default_model_config() {
  ModelConfig c;
  c.arch = ModelArch::Opt;
  c.vocab_size = sentiment_tokenizer_files().vocab_size;
  c.hidden_size = 128;
  c.num_layers = 4;
  c.num_heads = 4;
  c.ffn_dim = 512;
  c.max_position_embeddings = 128;
  c.pad_token_id = 1;
  c.bos_token_id = 2;
  c.eos_token_ids = {2};
  c.word_embed_proj_dim = 128;
  model_config_fill_derived(c);
  model_config_validate(c, "default model config");
  return c;
}

// ---------------------------------------------------------------------------------------
// Cache

std::string default_cache_dir() {
  if (const char* z = std::getenv("ZOSCOPE_CACHE_DIR"); z && *z) return z;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/zoscope";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/zoscope";
  fail("cache", "no cache folder: set ZOSCOPE_CACHE_DIR, XDG_CACHE_HOME or HOME");
}

namespace {

std::string key_text(const DefaultModelOptions& o) {
  const PretrainOptions& p = o.pretrain;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "sentiment=%d pretrain=%d seed=%llu steps=%lld batch=%lld seq=%lld lr=%.17g b1=%.17g b2=%.17g eps=%.17g "
                "wd=%.17g clip=%.17g warmup=%lld data_seed=%llu ",
                kSentimentVersion, kPretrainVersion, static_cast<unsigned long long>(o.seed),
                static_cast<long long>(p.steps), static_cast<long long>(p.batch_size), static_cast<long long>(p.seq_len),
                p.lr, p.beta1, p.beta2, p.eps, p.weight_decay, p.clip_norm, static_cast<long long>(p.warmup),
                static_cast<unsigned long long>(p.data_seed));
  // The tokenizer's own hash too: a generator change that keeps the vocabulary size but
  // reorders the merges must not reuse a model trained on other token ids.
  const TokenizerFiles tf = sentiment_tokenizer_files();
  std::string h = tf.vocab_json + tf.merges_txt;
  uint64_t f = 0xcbf29ce484222325ull;
  for (unsigned char c : h) f = (f ^ c) * 0x100000001b3ull;
  return buf + std::string("tokenizer=") + std::to_string(f) + " " + model_config_to_json(default_model_config(), "float32");
}

// FNV-1a, 64 bits.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

bool complete(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "zoscope_pretrain.json", ec) && fs::is_regular_file(dir / "model.safetensors", ec) &&
         fs::is_regular_file(dir / "config.json", ec) && fs::is_regular_file(dir / "vocab.json", ec);
}

// Temporary folders "<name>.tmp-<pid>" of processes that no longer run.
void remove_stale(const fs::path& models, const std::string& name) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(models, ec)) {
    const std::string f = e.path().filename().string(), prefix = name + ".tmp-";
    if (f.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(f.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

// Dev accuracy of the sentiment task, or (own_verdict) of the same prompts scored with the
// pretraining's own verdict words " bad" / " good" instead of the task's (corpus.h).
double zero_shot_dev_accuracy(const CausalLM& model, const Tokenizer& tok, bool own_verdict = false) {
  Task task = task_get("sentiment");
  if (own_verdict) task.label_words = {"bad", "good"};
  DataOptions d;
  d.n_train = 0;
  d.n_test = 0;
  const TaskData data = task_data_load(task, d);
  const EncodedSet dev = task_encode(task, tok, data.dev, {.max_length = model.config().max_position_embeddings});
  return task_evaluate(model, tok, dev).value;
}

}  // namespace

std::string default_model_key(const DefaultModelOptions& opt) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(key_text(opt))));
  return hex;
}

std::string pretrained_default_model(const DefaultModelOptions& opt) {
  const fs::path models = fs::path(opt.cache_dir.empty() ? default_cache_dir() : opt.cache_dir) / "models";
  const std::string name = "sentiment-v" + std::to_string(kSentimentVersion) + "-" + default_model_key(opt);
  const fs::path dir = models / name;
  if (complete(dir)) return dir.string();
  make_dirs(models.string());
  remove_stale(models, name);
  const fs::path tmp = models / (name + ".tmp-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  const auto log = [&](const std::string& s) {
    if (opt.log) opt.log(s);
  };
  sentiment_tokenizer_write(tmp.string());
  const std::unique_ptr<Tokenizer> tok = tokenizer_load(tmp.string());
  CausalLM model = CausalLM::random(default_model_config(), opt.seed);
  const double acc0 = zero_shot_dev_accuracy(model, *tok), own0 = zero_shot_dev_accuracy(model, *tok, true);
  log("pretraining the default model (" + std::to_string(opt.pretrain.steps) + " steps) into " + dir.string());
  PretrainOptions po = opt.pretrain;
  const auto user_step = po.on_step;
  po.on_step = [&](int64_t t, double l) {
    if (user_step) user_step(t, l);
    if (opt.log && ((t + 1) % 100 == 0 || t + 1 == po.steps))
      log("step " + std::to_string(t + 1) + "/" + std::to_string(po.steps) + " loss " + fmt_double(l));
  };
  const PretrainResult r = pretrain_lm(model, *tok, po);
  const double acc = zero_shot_dev_accuracy(model, *tok), own = zero_shot_dev_accuracy(model, *tok, true);
  model.save(tmp.string());
  nlohmann::ordered_json info;
  info["key"] = key_text(opt);
  info["sentiment_version"] = kSentimentVersion;
  info["pretrain_version"] = kPretrainVersion;
  info["seed"] = opt.seed;
  info["steps"] = po.steps;
  info["seconds"] = r.seconds;
  info["tokens"] = r.tokens;
  info["first_loss"] = r.first_loss;
  info["last_loss"] = r.last_loss;
  info["dev_accuracy_random_init"] = acc0;
  info["dev_accuracy_zero_shot"] = acc;
  // What pretraining taught: the same dev prompts with its own verdict words good / bad.
  info["dev_accuracy_own_verdict_random_init"] = own0;
  info["dev_accuracy_own_verdict"] = own;
  atomic_write((tmp / "zoscope_pretrain.json").string(), info.dump(1));
  fs::rename(tmp, dir, ec);
  if (ec) {
    // Another process finished first: keep its folder.
    std::error_code ec2;
    fs::remove_all(tmp, ec2);
    if (!complete(dir)) fail(dir.string(), "cannot move the pretrained model into the cache: " + ec.message());
  }
  log("default model cached at " + dir.string() + " (" + fmt_double(r.seconds) + " s, zero-shot dev accuracy " +
      fmt_double(acc) + "; with its own verdict words good/bad " + fmt_double(own) + ")");
  return dir.string();
}

}  // namespace zs
