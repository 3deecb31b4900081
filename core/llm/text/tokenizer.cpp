// Tokenizer loader: picks the scheme from the files present and resolves the special
// tokens as transformers does (special_tokens_map.json over tokenizer_config.json), with
// well-known token names as the last resort.
#include "core/llm/text/tokenizer.h"

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/llm/text/tokenizer_bpe.h"
#include "core/llm/text/tokenizer_spm.h"
#include "core/util/error.h"

namespace zs {

namespace fs = std::filesystem;

void Tokenizer::set_special_ids(const SpecialIds& ids) {
  const int32_t n = vocab_size();
  for (const auto& [name, id] : {std::pair{"bos", ids.bos}, {"eos", ids.eos}, {"pad", ids.pad}, {"unk", ids.unk}})
    if (id < -1 || id >= n)
      fail("tokenizer",
           std::string(name) + " id " + std::to_string(id) + " is outside [-1, " + std::to_string(n) + ")");
  special_ = ids;
}

std::vector<int32_t> Tokenizer::encode_for_model(std::string_view text, bool add_bos) const {
  if (add_bos && special_.bos < 0) fail("tokenizer", "add_bos requested but the tokenizer has no BOS token");
  std::vector<int32_t> ids;
  if (add_bos) ids.push_back(special_.bos);
  std::vector<int32_t> body = encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// The config files of a tokenizer folder that name special tokens, highest priority first.
struct ConfigFile {
  std::string path;
  nlohmann::json doc;
};

std::vector<ConfigFile> config_files_read(const fs::path& dir) {
  std::vector<ConfigFile> out;
  for (const char* name : {"special_tokens_map.json", "tokenizer_config.json"}) {
    const fs::path p = dir / name;
    if (!is_file(p)) continue;
    ConfigFile f{p.string(), tokenizer_json_read(p.string())};
    if (!f.doc.is_object()) fail(f.path, "expected a JSON object");
    out.push_back(std::move(f));
  }
  return out;
}

struct Role {
  const char* key;
  int32_t SpecialIds::*field;
  std::array<const char*, 3> well_known;
};
constexpr std::array<Role, 4> kRoles{{
    {"bos_token", &SpecialIds::bos, {"<s>", "<|begin_of_text|>", "<|endoftext|>"}},
    {"eos_token", &SpecialIds::eos, {"</s>", "<|end_of_text|>", "<|endoftext|>"}},
    {"pad_token", &SpecialIds::pad, {"<pad>", nullptr, nullptr}},
    {"unk_token", &SpecialIds::unk, {"<unk>", nullptr, nullptr}},
}};

// The id a config file gives a role: nullopt when the file does not name it, -1 for null.
std::optional<int32_t> config_role(const ConfigFile& f, const char* key, const Tokenizer& tok) {
  if (!f.doc.contains(key)) return std::nullopt;
  const nlohmann::json& v = f.doc[key];
  if (v.is_null()) return -1;
  std::string content;
  if (v.is_string())
    content = v.get<std::string>();
  else if (v.is_object() && v.contains("content") && v["content"].is_string())
    content = v["content"].get<std::string>();
  else
    fail(f.path, std::string(key) + ": expected a string, {\"content\": ...} or null");
  const int32_t id = tok.token_to_id(content);
  if (id < 0) fail(f.path, std::string(key) + ": token '" + content + "' is not in the vocabulary");
  return id;
}

SpecialIds specials_resolve(const std::vector<ConfigFile>& configs, const Tokenizer& tok, const SpecialIds& model_ids) {
  SpecialIds ids;
  for (const Role& role : kRoles) {
    std::optional<int32_t> id;
    for (const ConfigFile& f : configs)
      if ((id = config_role(f, role.key, tok))) break;
    if (!id && model_ids.*role.field >= 0) id = model_ids.*role.field;
    for (const char* name : role.well_known)
      if (!id && name && tok.token_to_id(name) >= 0) id = tok.token_to_id(name);
    ids.*role.field = id.value_or(-1);
  }
  return ids;
}

}  // namespace

std::unique_ptr<Tokenizer> tokenizer_load(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (!fs::exists(p, ec)) fail(path, "no such file or folder");
  const bool folder = fs::is_directory(p, ec);
  const fs::path dir = folder ? p : p.parent_path();
  const std::string name = folder ? "" : p.filename().string();

  fs::path json, vocab, merges, spm;
  if (folder) {
    if (is_file(dir / "tokenizer.json")) {
      json = dir / "tokenizer.json";
    } else if (is_file(dir / "vocab.json") || is_file(dir / "merges.txt")) {
      vocab = dir / "vocab.json";
      merges = dir / "merges.txt";
    } else if (is_file(dir / "tokenizer.model")) {
      spm = dir / "tokenizer.model";
    } else if (is_file(dir / "spm.model")) {
      spm = dir / "spm.model";
    } else {
      fail(path, "no tokenizer here (tokenizer.json, vocab.json + merges.txt, tokenizer.model or spm.model)");
    }
  } else if (name == "vocab.json" || name == "merges.txt") {
    vocab = dir / "vocab.json";
    merges = dir / "merges.txt";
  } else if (p.extension() == ".json") {
    json = p;
  } else {
    spm = p;
  }

  const std::vector<ConfigFile> configs = config_files_read(dir);
  SpecialIds model_ids;
  std::optional<BpeModel> bpe;
  if (!json.empty()) {
    const nlohmann::json doc = tokenizer_json_read(json.string());
    // LLaMA-2's tokenizer.json is a conversion of its tokenizer.model: use the original.
    if (!bpe_json_is_byte_level(doc) && is_file(dir / "tokenizer.model"))
      spm = dir / "tokenizer.model";
    else
      bpe = bpe_model_from_json(doc, json.string());
  } else if (!vocab.empty()) {
    for (const fs::path& f : {vocab, merges})
      if (!is_file(f)) fail(f.string(), "missing (byte-level BPE needs vocab.json and merges.txt)");
    bpe = bpe_model_read_vocab_merges(vocab.string(), merges.string());
    for (const ConfigFile& f : configs)
      if (f.doc.contains("added_tokens_decoder"))
        bpe_model_add_tokens_decoder(*bpe, f.doc["added_tokens_decoder"], f.path + ": added_tokens_decoder");
  }
  if (bpe) {
    model_ids.unk = bpe->unk;
    auto b = std::make_unique<BpeTokenizer>(std::move(*bpe));
    const SpecialIds ids = specials_resolve(configs, *b, model_ids);
    // transformers registers every special token as an added token: matched verbatim in text.
    for (int32_t id : {ids.bos, ids.eos, ids.pad, ids.unk})
      if (id >= 0) b->add_special_token(id);
    b->set_special_ids(ids);
    return b;
  }
  auto s = std::make_unique<SpmTokenizer>(spm.string());
  s->set_special_ids(specials_resolve(configs, *s, s->special_ids()));
  return s;
}

}  // namespace zs
