// Parsing and validation of fine-tuning specs (see finetune_spec.h).
#include "core/llm/io/finetune_spec.h"
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include "core/llm/text/task.h"
#include "core/opt/optimizer.h"
#include "core/util/atomic_file.h"
#include "core/io/json_fields.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

namespace zs {

namespace {

using nlohmann::json;
using json_fields::Ctx;
using json_fields::check_keys;
using json_fields::get;
using json_fields::type_name;

std::string shown(const json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

int64_t integer(const Ctx& c, const json& v, const std::string& path, int64_t lo, int64_t hi) {
  if (!v.is_number()) fail(c.at(path), "expected an integer, got " + type_name(v) + " " + shown(v));
  // Integers compare exactly: as a double, 2^53 + 1 rounds to 2^53 and would pass.
  const bool exact_ok = v.is_number_unsigned()   ? v.get<uint64_t>() <= static_cast<uint64_t>(hi) &&
                                                    (lo <= 0 || v.get<uint64_t>() >= static_cast<uint64_t>(lo))
                        : v.is_number_integer() ? v.get<int64_t>() >= lo && v.get<int64_t>() <= hi
                                                : true;
  if (!exact_ok)
    fail(c.at(path), "value " + shown(v) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    fail(c.at(path), "value " + shown(v) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int64_t>(d);
}

std::string str(const Ctx& c, const json& v, const std::string& path) {
  if (!v.is_string()) fail(c.at(path), "expected a string, got " + type_name(v) + " " + shown(v));
  return v.get<std::string>();
}

std::string choice(const Ctx& c, const json& v, const std::string& path, std::initializer_list<const char*> ok) {
  const std::string s = str(c, v, path);
  std::string names;
  for (const char* k : ok) {
    if (s == k) return s;
    names += (names.empty() ? "" : ", ") + std::string(k);
  }
  fail(c.at(path), "value \"" + s + "\" is not one of " + names);
}

bool boolean(const Ctx& c, const json& v, const std::string& path) {
  if (!v.is_boolean()) fail(c.at(path), "expected true or false, got " + type_name(v) + " " + shown(v));
  return v.get<bool>();
}

constexpr int64_t kMaxCount = int64_t(1) << 40;

}  // namespace

FinetuneSpec finetune_spec_parse(const std::string& text, const std::string& file) {
  const Ctx c{file};
  const json j = json_parse(text, file);
  if (!j.is_object()) fail(file, "expected a JSON object, got " + type_name(j));
  check_keys(c, j, "",
             {"zoscope_finetune", "model", "tokenizer", "pretrain_steps", "task", "data", "max_length", "mode", "dtype",
              "master_weights", "device", "batch_size", "seed", "budget", "checkpoint_every", "eval_every",
              "eval_examples", "distributed", "runs"});
  const json* ver = get(j, "zoscope_finetune");
  if (!ver) fail(c.at("zoscope_finetune"), "missing (a fine-tuning spec starts with \"zoscope_finetune\": 1)");
  if (!ver->is_number_integer() || ver->get<int64_t>() != 1)
    fail(c.at("zoscope_finetune"), "value " + shown(*ver) + " is not a supported version (1)");
  FinetuneSpec s;
  s.file = file;
  if (const json* v = get(j, "model")) {
    s.model = str(c, *v, "model");
    if (s.model.empty()) fail(c.at("model"), "empty (\"default\" or a model folder)");
  }
  if (const json* v = get(j, "tokenizer")) s.tokenizer = str(c, *v, "tokenizer");
  if (const json* v = get(j, "pretrain_steps")) {
    if (s.model != "default") fail(c.at("pretrain_steps"), "only applies to \"model\": \"default\"");
    s.pretrain_steps = integer(c, *v, "pretrain_steps", 1, 1000000);
  }
  if (const json* v = get(j, "task")) {
    s.task = str(c, *v, "task");
    try {
      task_get(s.task);
    } catch (const Error& e) {
      fail(c.at("task"), "value \"" + s.task + "\": " + e.what());
    }
  }
  if (const json* d = get(j, "data")) {
    if (!d->is_object()) fail(c.at("data"), "expected an object, got " + type_name(*d));
    check_keys(c, *d, "data", {"dir", "seed", "train", "dev", "test"});
    if (const json* v = get(*d, "dir")) s.data_dir = str(c, *v, "data.dir");
    if (const json* v = get(*d, "seed")) s.data_seed = static_cast<uint64_t>(integer(c, *v, "data.seed", 0, int64_t(1) << 53));
    if (const json* v = get(*d, "train")) s.n_train = integer(c, *v, "data.train", 1, kMaxCount);
    if (const json* v = get(*d, "dev")) s.n_dev = integer(c, *v, "data.dev", 1, kMaxCount);
    if (const json* v = get(*d, "test")) s.n_test = integer(c, *v, "data.test", 0, kMaxCount);
  }
  if (!task_get(s.task).generated && s.data_dir.empty())
    fail(c.at("data.dir"), "missing: task \"" + s.task + "\" reads its files from a folder");
  if (const json* v = get(j, "max_length")) s.max_length = integer(c, *v, "max_length", 4, 1 << 20);
  if (const json* v = get(j, "mode")) s.mode = choice(c, *v, "mode", {"full", "lora", "adazeta"});
  if (const json* v = get(j, "dtype")) s.dtype = choice(c, *v, "dtype", {"fp32", "bf16", "fp16"});
  if (const json* v = get(j, "master_weights")) s.master_weights = boolean(c, *v, "master_weights");
  if (const json* v = get(j, "device")) s.device = choice(c, *v, "device", {"cpu", "cuda"});
  if (const json* v = get(j, "batch_size")) s.batch_size = integer(c, *v, "batch_size", 1, 1 << 20);
  if (const json* v = get(j, "seed")) s.seed = static_cast<uint64_t>(integer(c, *v, "seed", 0, int64_t(1) << 53));
  const json* b = get(j, "budget");
  if (!b) fail(c.at("budget"), "missing: {\"steps\": N} or {\"forward_passes\": N}");
  if (!b->is_object()) fail(c.at("budget"), "expected an object, got " + type_name(*b));
  check_keys(c, *b, "budget", {"steps", "forward_passes"});
  if (const json* v = get(*b, "steps")) s.steps = integer(c, *v, "budget.steps", 1, kMaxCount);
  if (const json* v = get(*b, "forward_passes")) s.forward_passes = integer(c, *v, "budget.forward_passes", 1, kMaxCount);
  if ((s.steps < 0) == (s.forward_passes < 0))
    fail(c.at("budget"), "give exactly one of \"steps\" and \"forward_passes\"");
  if (const json* v = get(j, "checkpoint_every")) s.checkpoint_every = integer(c, *v, "checkpoint_every", 0, kMaxCount);
  if (const json* v = get(j, "eval_every")) s.eval_every = integer(c, *v, "eval_every", 0, kMaxCount);
  if (const json* v = get(j, "eval_examples")) s.eval_examples = integer(c, *v, "eval_examples", 1, kMaxCount);
  if (const json* d = get(j, "distributed")) {
    if (!d->is_object()) fail(c.at("distributed"), "expected an object, got " + type_name(*d));
    check_keys(c, *d, "distributed", {"backend", "parallel", "shards", "timeout_s"});
    if (const json* v = get(*d, "parallel")) s.dist_parallel = choice(c, *v, "distributed.parallel", {"data", "directions"});
    if (const json* v = get(*d, "backend")) s.dist_backend = choice(c, *v, "distributed.backend", {"auto", "gloo", "nccl"});
    if (const json* v = get(*d, "shards")) s.dist_shards = integer(c, *v, "distributed.shards", 1, 1 << 20);
    if (const json* v = get(*d, "timeout_s")) {
      if (!v->is_number() || !(v->get<double>() > 0 && v->get<double>() <= 86400))
        fail(c.at("distributed.timeout_s"), "value " + shown(*v) + " must be a number in (0, 86400] (seconds)");
      s.dist_timeout_s = v->get<double>();
    }
  }
  if (s.dist_backend == "nccl" && s.device != "cuda")
    fail(c.at("distributed.backend"), "value \"nccl\" needs \"device\": \"cuda\" (NCCL moves GPU tensors; use gloo on the CPU)");
  if (s.dist_parallel == "directions" && s.dist_shards > 0)
    fail(c.at("distributed.shards"), "applies to \"parallel\": \"data\" only (direction-parallel ranks each evaluate the whole minibatch)");
  if (s.dist_shards > s.batch_size)
    fail(c.at("distributed.shards"), "value " + std::to_string(s.dist_shards) + " is more than batch_size " +
                                         std::to_string(s.batch_size) + " (every shard needs an example)");
  const json* runs = get(j, "runs");
  if (!runs) fail(c.at("runs"), "missing: a list of {\"optimizer\": ...}");
  if (!runs->is_array() || runs->empty()) fail(c.at("runs"), "expected a non-empty array, got " + type_name(*runs));
  std::set<std::string> labels;
  for (size_t i = 0; i < runs->size(); ++i) {
    const std::string p = "runs[" + std::to_string(i) + "]";
    const json& r = (*runs)[i];
    if (!r.is_object()) fail(c.at(p), "expected an object, got " + type_name(r));
    check_keys(c, r, p, {"optimizer", "hyperparameters", "label", "cosine_every"});
    const json* o = get(r, "optimizer");
    if (!o) fail(c.at(p + ".optimizer"), "missing");
    FinetuneRun run;
    run.optimizer = str(c, *o, p + ".optimizer");
    const OptimizerInfo* info = optimizer_find(run.optimizer);
    if (!info) {
      std::string names;
      for (const auto& k : optimizer_catalog()) names += (names.empty() ? "" : ", ") + k.id;
      fail(c.at(p + ".optimizer"), "value \"" + run.optimizer + "\" is not an optimizer (known: " + names + ")");
    }
    ParamValues given;
    if (const json* h = get(r, "hyperparameters")) {
      if (!h->is_object()) fail(c.at(p + ".hyperparameters"), "expected an object, got " + type_name(*h));
      for (auto it = h->begin(); it != h->end(); ++it) {
        const std::string hp = p + ".hyperparameters." + it.key();
        const ParamDecl* d = param_find(info->params, it.key());
        if (!d) {
          std::string names;
          for (const auto& dd : info->params) names += (names.empty() ? "" : ", ") + dd.name;
          fail(c.at(hp), "unknown parameter of " + run.optimizer + " (known: " + names + ")");
        }
        double x;
        if (it->is_boolean() && d->kind == ParamKind::Bool) x = it->get<bool>() ? 1 : 0;
        else if (it->is_string() && d->kind == ParamKind::Choice) x = param_choice_index(*d, it->get<std::string>(), c.at(hp));
        else if (!it->is_number()) fail(c.at(hp), "expected a number, got " + type_name(*it) + " " + shown(*it));
        else x = it->get<double>();
        given[it.key()] = x;
      }
    }
    run.hp = params_resolve(info->params, given, c.at(p + ".hyperparameters"), true);
    run.label = run.optimizer;
    if (const json* l = get(r, "label")) {
      run.label = str(c, *l, p + ".label");
      if (run.label.empty()) fail(c.at(p + ".label"), "empty");
      for (char ch : run.label)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.'))
          fail(c.at(p + ".label"), "value \"" + run.label + "\" may only hold letters, digits, '_', '-' and '.' (it names a folder)");
      if (run.label == "." || run.label == "..") fail(c.at(p + ".label"), "value \"" + run.label + "\" is not a folder name");
    }
    if (const json* v = get(r, "cosine_every")) run.cosine_every = integer(c, *v, p + ".cosine_every", 0, kMaxCount);
    if (!labels.insert(run.label).second)
      fail(c.at(p + ".label"), "value \"" + run.label + "\" is used by an earlier run (labels must be unique)");
    s.runs.push_back(std::move(run));
  }
  return s;
}

FinetuneSpec finetune_spec_load(const std::string& path) { return finetune_spec_parse(read_file(path), path); }

std::string finetune_spec_to_json(const FinetuneSpec& s) {
  nlohmann::ordered_json j;
  j["zoscope_finetune"] = 1;
  j["model"] = s.model;
  if (!s.tokenizer.empty()) j["tokenizer"] = s.tokenizer;
  if (s.pretrain_steps > 0) j["pretrain_steps"] = s.pretrain_steps;
  j["task"] = s.task;
  nlohmann::ordered_json d;
  if (!s.data_dir.empty()) d["dir"] = s.data_dir;
  d["seed"] = s.data_seed;
  d["train"] = s.n_train;
  d["dev"] = s.n_dev;
  d["test"] = s.n_test;
  j["data"] = d;
  j["max_length"] = s.max_length;
  j["mode"] = s.mode;
  j["dtype"] = s.dtype;
  j["master_weights"] = s.master_weights;
  j["device"] = s.device;
  j["batch_size"] = s.batch_size;
  j["seed"] = s.seed;
  if (s.steps > 0) j["budget"]["steps"] = s.steps;
  else j["budget"]["forward_passes"] = s.forward_passes;
  j["checkpoint_every"] = s.checkpoint_every;
  j["eval_every"] = s.eval_every;
  if (s.eval_examples > 0) j["eval_examples"] = s.eval_examples;
  if (s.dist_backend != "auto" || s.dist_parallel != "data" || s.dist_shards > 0 || s.dist_timeout_s != 300) {
    nlohmann::ordered_json d;
    d["backend"] = s.dist_backend;
    if (s.dist_parallel != "data") d["parallel"] = s.dist_parallel;
    if (s.dist_shards > 0) d["shards"] = s.dist_shards;
    d["timeout_s"] = s.dist_timeout_s;
    j["distributed"] = d;
  }
  j["runs"] = nlohmann::ordered_json::array();
  for (const FinetuneRun& r : s.runs) {
    nlohmann::ordered_json o;
    o["optimizer"] = r.optimizer;
    o["label"] = r.label;
    const OptimizerInfo* info = optimizer_find(r.optimizer);
    nlohmann::ordered_json h = nlohmann::ordered_json::object();
    for (const auto& [k, v] : r.hp) {
      const ParamDecl* dd = info ? param_find(info->params, k) : nullptr;
      if (dd && dd->kind == ParamKind::Choice) h[k] = param_value_text(*dd, v);
      else if (dd && dd->kind == ParamKind::Bool) h[k] = v != 0;
      else h[k] = v;
    }
    o["hyperparameters"] = h;
    if (r.cosine_every > 0) o["cosine_every"] = r.cosine_every;
    j["runs"].push_back(o);
  }
  return j.dump(1) + "\n";
}

Budget finetune_budget(const FinetuneSpec& spec) {
  Budget b;
  if (spec.steps > 0) b.steps = spec.steps;
  else b.forward_passes = spec.forward_passes;
  return b;
}

std::string finetune_spec_identity(FinetuneSpec s) {
  s.dist_backend = "auto";
  s.dist_timeout_s = 300;
  return finetune_spec_to_json(s);
}

void finetune_spec_check_resume(const std::string& spec_path, const FinetuneSpec& spec) {
  const std::string was = finetune_spec_identity(finetune_spec_load(spec_path)), now = finetune_spec_identity(spec);
  if (was == now) return;
  // Name the first field that differs: the flattened specs map "/runs/0/label" to values.
  const json a = json::parse(was).flatten(), b = json::parse(now).flatten();
  std::string field, there = "(absent)", here = "(absent)";
  for (const json* side : {&a, &b})
    for (auto it = side->begin(); it != side->end(); ++it) {
      const auto ia = a.find(it.key()), ib = b.find(it.key());
      if (ia != a.end() && ib != b.end() && *ia == *ib) continue;
      std::string f;  // "/runs/0/label" -> "runs[0].label"
      for (size_t i = 1, j; i <= it.key().size(); i = j + 1) {
        j = std::min(it.key().find('/', i), it.key().size());
        const std::string part = it.key().substr(i, j - i);
        const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        f += index ? "[" + part + "]" : (f.empty() ? "" : ".") + part;
      }
      if (!field.empty() && field <= f) continue;
      field = f;
      there = ia != a.end() ? shown(*ia) : "(absent)";
      here = ib != b.end() ? shown(*ib) : "(absent)";
    }
  fail(spec_path, "the spec differs from the one this folder was started with (" + field + ": " + there + " there, " +
                      here + " in " + spec.file + "); cannot resume");
}

}  // namespace zs
