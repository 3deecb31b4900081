// MeZO prompt templates, the task registry and the SQuAD metrics (see task.h).
#include "core/llm/text/task.h"
#include <algorithm>
#include <cctype>
#include <map>
#include "core/util/error.h"

namespace zs {

const std::string& Example::field(const std::string& name) const {
  const auto it = fields.find(name);
  if (it == fields.end()) fail("example " + id, "no field '" + name + "'");
  return it->second;
}

int32_t Task::num_candidates(const Example& x) const {
  if (kind == TaskKind::Generation) return 0;
  return static_cast<int32_t>(continuations(x).size());
}

namespace {

// Python str.strip() on ASCII whitespace.
std::string strip(std::string_view s) {
  const auto ws = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  size_t b = 0, e = s.size();
  while (b < e && ws(s[b])) ++b;
  while (e > b && ws(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

// str.strip(' '): MeZO strips only spaces from the rendered prompt, so a final "\n" stays.
std::string strip_spaces(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> label_word_continuations(const Task& t, const Example&, std::string_view sep) {
  std::vector<std::string> out;
  for (const std::string& w : t.label_words) out.push_back(std::string(sep) + w);
  return out;
}

std::string sst2_prompt(const Example& x) { return strip_spaces(strip(x.field("sentence")) + " It was"); }
std::vector<std::string> sst2_continuations(const Task& t, const Example& x) {
  return label_word_continuations(t, x, " ");
}

std::string rte_prompt(const Example& x) {
  return strip_spaces(x.field("premise") + "\nDoes this mean that \"" + x.field("hypothesis") +
                      "\" is true? Yes or No?\n");
}
std::string cb_prompt(const Example& x) {
  return strip_spaces("Suppose " + x.field("premise") + " Can we infer that \"" + x.field("hypothesis") +
                      "\"? Yes, No, or Maybe?\n");
}
std::string boolq_prompt(const Example& x) {
  std::string q = x.field("question");
  if (q.empty() || q.back() != '?') q += '?';
  q[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(q[0])));
  return strip_spaces(x.field("passage") + " " + q + "\n");
}
// The word follows the prompt's final newline directly (MeZO verbalize: "...\n{word}").
std::vector<std::string> newline_continuations(const Task& t, const Example& x) {
  return label_word_continuations(t, x, "");
}

// MeZO CopaTemplate (capitalization "correct"): premise.rstrip() without a final '.', then
// " so " / " because "; each choice's first space-separated word lower-cased unless "I".
std::string copa_conjunction(const Example& x) { return x.field("question") == "effect" ? " so " : " because "; }
std::string copa_prompt_raw(const Example& x) {
  std::string p = x.field("premise");
  while (!p.empty() && std::isspace(static_cast<unsigned char>(p.back()))) p.pop_back();
  if (!p.empty() && p.back() == '.') p.pop_back();
  return p + copa_conjunction(x);
}
std::string copa_prompt(const Example& x) { return strip_spaces(copa_prompt_raw(x)); }
std::string copa_choice(std::string c) {
  const size_t sp = c.find(' ');
  const std::string first = c.substr(0, sp);
  if (first != "I")
    for (size_t i = 0; i < first.size(); ++i) c[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(c[i])));
  return c;
}
std::vector<std::string> copa_continuations(const Task&, const Example& x) {
  const std::string raw = copa_prompt_raw(x), prompt = strip_spaces(raw);
  std::vector<std::string> out;
  for (const char* f : {"choice1", "choice2"}) {
    const std::string full = strip_spaces(raw + copa_choice(x.field(f)));
    out.push_back(full.substr(prompt.size()));
  }
  return out;
}

std::string squad_prompt(const Example& x) {
  return strip_spaces("Title: " + x.field("title") + "\nContext: " + x.field("context") +
                      "\nQuestion: " + strip(x.field("question")) + "\nAnswer:");
}
std::vector<std::string> squad_continuations(const Task&, const Example& x) {
  if (x.answers.empty()) fail("example " + x.id, "no gold answer");
  return {" " + x.answers.front() + "\n"};
}

std::vector<Task> make_registry() {
  std::vector<Task> r;
  Task sst2;
  sst2.name = "sst2";
  sst2.label_words = {"terrible", "great"};
  sst2.fields = {{"sentence", "sentence", {}}};
  sst2.label_format = LabelFormat::Index;
  sst2.train_files = {"train.tsv"};
  sst2.eval_files = {"dev.tsv"};
  sst2.prompt_fn = sst2_prompt;
  sst2.continuations_fn = sst2_continuations;
  r.push_back(sst2);

  Task rte;
  rte.name = "rte";
  rte.label_words = {"Yes", "No"};
  rte.fields = {{"premise", "sentence1", {}}, {"hypothesis", "sentence2", {}}};
  rte.label_format = LabelFormat::Name;
  rte.label_names = {"entailment", "not_entailment"};
  rte.train_files = {"train.jsonl", "train.tsv"};
  rte.eval_files = {"val.jsonl", "dev.tsv"};
  rte.prompt_fn = rte_prompt;
  rte.continuations_fn = newline_continuations;
  r.push_back(rte);

  Task cb = rte;
  cb.name = "cb";
  cb.label_words = {"Yes", "No", "Maybe"};
  cb.label_names = {"entailment", "contradiction", "neutral"};
  cb.train_files = {"train.jsonl"};
  cb.eval_files = {"val.jsonl"};
  cb.prompt_fn = cb_prompt;
  r.push_back(cb);

  Task boolq;
  boolq.name = "boolq";
  boolq.label_words = {"No", "Yes"};
  boolq.fields = {{"passage", "", {}}, {"question", "", {}}};
  boolq.label_format = LabelFormat::Bool;
  boolq.train_files = {"train.jsonl"};
  boolq.eval_files = {"val.jsonl"};
  boolq.prompt_fn = boolq_prompt;
  boolq.continuations_fn = newline_continuations;
  r.push_back(boolq);

  Task copa;
  copa.name = "copa";
  copa.kind = TaskKind::MultipleChoice;
  copa.objective = Objective::GoldSpan;
  copa.fields = {{"premise", "", {}}, {"choice1", "", {}}, {"choice2", "", {}}, {"question", "", {"cause", "effect"}}};
  copa.label_format = LabelFormat::Index;
  copa.label_names = {"choice1", "choice2"};
  copa.train_files = {"train.jsonl"};
  copa.eval_files = {"val.jsonl"};
  copa.prompt_fn = copa_prompt;
  copa.continuations_fn = copa_continuations;
  r.push_back(copa);

  Task squad;
  squad.name = "squad";
  squad.kind = TaskKind::Generation;
  squad.objective = Objective::GoldSpan;
  squad.metric = Metric::SquadF1;
  squad.fields = {{"title", "", {}}, {"context", "", {}}, {"question", "", {}}};
  squad.train_files = {"train-v1.1.json", "train.json"};
  squad.eval_files = {"dev-v1.1.json", "dev.json"};
  squad.prompt_fn = squad_prompt;
  squad.continuations_fn = squad_continuations;
  r.push_back(squad);

  Task sentiment = sst2;
  sentiment.name = "sentiment";
  sentiment.train_files.clear();
  sentiment.eval_files.clear();
  sentiment.generated = true;
  r.push_back(sentiment);
  return r;
}

const std::vector<Task>& registry() {
  static const std::vector<Task> r = make_registry();
  return r;
}

}  // namespace

const Task& task_get(std::string_view name) {
  for (const Task& t : registry())
    if (t.name == name) return t;
  std::string known;
  for (const Task& t : registry()) known += (known.empty() ? "" : ", ") + t.name;
  fail("task", "unknown task '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<std::string> task_names() {
  std::vector<std::string> out;
  for (const Task& t : registry()) out.push_back(t.name);
  return out;
}

// ---------------------------------------------------------------------------------------
// SQuAD metrics

namespace {

bool is_ascii_punct(unsigned char c) { return c < 0x80 && std::ispunct(c) != 0; }
bool is_word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) != 0 || c == '_'; }

std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> squad_tokens(std::string_view s) { return split_ws(squad_normalize(s)); }

}  // namespace

std::string squad_normalize(std::string_view s) {
  // lower, then remove punctuation (evaluate-v1.1.py order: lower -> punc -> articles -> ws).
  std::string t;
  for (unsigned char c : s)
    if (!is_ascii_punct(c)) t += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  // re.sub(r'\b(a|an|the)\b', ' ', t)
  std::string u;
  size_t i = 0;
  while (i < t.size()) {
    const bool boundary_before = i == 0 || !is_word_byte(static_cast<unsigned char>(t[i - 1]));
    bool matched = false;
    if (boundary_before) {
      for (std::string_view art : {"the", "an", "a"}) {
        if (t.compare(i, art.size(), art) != 0) continue;
        const size_t e = i + art.size();
        if (e == t.size() || !is_word_byte(static_cast<unsigned char>(t[e]))) {
          u += ' ';
          i = e;
          matched = true;
          break;
        }
      }
    }
    if (!matched) u += t[i++];
  }
  std::string out;
  for (const std::string& w : split_ws(u)) out += (out.empty() ? "" : " ") + w;
  return out;
}

double squad_f1(std::string_view prediction, const std::vector<std::string>& answers) {
  const std::vector<std::string> pred = squad_tokens(prediction);
  double best = 0;
  for (const std::string& a : answers) {
    const std::vector<std::string> gold = squad_tokens(a);
    std::map<std::string, int> count;
    for (const std::string& w : gold) ++count[w];
    int same = 0;
    for (const std::string& w : pred) {
      auto it = count.find(w);
      if (it != count.end() && it->second > 0) {
        --it->second;
        ++same;
      }
    }
    if (same == 0) continue;
    const double p = static_cast<double>(same) / static_cast<double>(pred.size());
    const double r = static_cast<double>(same) / static_cast<double>(gold.size());
    best = std::max(best, 2 * p * r / (p + r));
  }
  return best;
}

double squad_em(std::string_view prediction, const std::vector<std::string>& answers) {
  const std::string p = squad_normalize(prediction);
  for (const std::string& a : answers)
    if (squad_normalize(a) == p) return 1;
  return 0;
}

}  // namespace zs
