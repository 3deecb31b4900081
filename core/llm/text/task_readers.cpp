// Task file readers: GLUE TSV, SuperGLUE JSONL, SQuAD v1.1 JSON (see task.h). A bad file
// is one zs::Error naming the file and the line or the JSON path, never a crash.
#include <nlohmann/json.hpp>
#include <algorithm>
#include <filesystem>
#include "core/llm/text/task.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

namespace zs {

namespace {

using json = nlohmann::json;

std::string type_name(const json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number_float()) return "a number";
  if (v.is_null()) return "null";
  return std::string("a ") + v.type_name();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    i = j + 1;
  }
  return lines;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  size_t i = 0;
  for (;;) {
    const size_t j = line.find('\t', i);
    cells.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return cells;
}

// Text of the user's file as an error quotes it: at most 60 bytes (a binary file, or one
// with no line breaks, is a single "line" of any length), and at most 12 columns.
std::string shown(const std::string& s) { return s.size() > 60 ? s.substr(0, 57) + "..." : s; }

std::string quoted_list(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < 12; ++i) s += (s.empty() ? "'" : ", '") + shown(v[i]) + "'";
  if (v.size() > 12) s += " and " + std::to_string(v.size() - 12) + " more";
  return s;
}

void check_allowed(const FieldSpec& f, const std::string& value, const std::string& where) {
  if (!f.allowed.empty() && std::find(f.allowed.begin(), f.allowed.end(), value) == f.allowed.end())
    fail(where, "field '" + f.name + "': expected one of " + quoted_list(f.allowed) + ", got '" + shown(value) + "'");
}

// Number of labels a classification / multiple-choice task accepts.
int32_t label_count(const Task& t) {
  return static_cast<int32_t>(t.label_words.empty() ? t.label_names.size() : t.label_words.size());
}

int32_t parse_label_text(const Task& t, const std::string& s, const std::string& where) {
  if (t.label_format == LabelFormat::Name) {
    const auto it = std::find(t.label_names.begin(), t.label_names.end(), s);
    if (it == t.label_names.end())
      fail(where, "label: expected one of " + quoted_list(t.label_names) + ", got '" + shown(s) + "'");
    return static_cast<int32_t>(it - t.label_names.begin());
  }
  if (t.label_format == LabelFormat::Index) {
    const int32_t n = label_count(t);
    for (int32_t k = 0; k < n; ++k)
      if (s == std::to_string(k)) return k;
    fail(where, "label: expected an integer in [0, " + std::to_string(n - 1) + "], got '" + shown(s) + "'");
  }
  if (t.label_format == LabelFormat::Bool) {
    if (s == "true" || s == "True") return 1;
    if (s == "false" || s == "False") return 0;
    fail(where, "label: expected true or false, got '" + shown(s) + "'");
  }
  fail(where, "task " + t.name + " has no labels");
}

int32_t parse_label_json(const Task& t, const json& v, const std::string& where) {
  switch (t.label_format) {
    case LabelFormat::Name:
      if (!v.is_string()) fail(where, "field 'label': expected a string, got " + type_name(v));
      return parse_label_text(t, v.get<std::string>(), where);
    case LabelFormat::Bool:
      if (!v.is_boolean()) fail(where, "field 'label': expected true or false, got " + type_name(v));
      return v.get<bool>() ? 1 : 0;
    case LabelFormat::Index: {
      const int32_t n = label_count(t);
      if (!v.is_number_integer()) fail(where, "field 'label': expected an integer, got " + type_name(v));
      const int64_t k = v.get<int64_t>();
      if (k < 0 || k >= n)
        fail(where, "field 'label': expected an integer in [0, " + std::to_string(n - 1) + "], got " + std::to_string(k));
      return static_cast<int32_t>(k);
    }
    case LabelFormat::None:
      break;
  }
  fail(where, "task " + t.name + " has no labels");
}

const json& member(const json& obj, const std::string& key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end()) fail(where, "field '" + key + "': missing");
  return *it;
}

std::string string_member(const json& obj, const std::string& key, const std::string& where) {
  const json& v = member(obj, key, where);
  if (!v.is_string()) fail(where, "field '" + key + "': expected a string, got " + type_name(v));
  return v.get<std::string>();
}

const json& array_member(const json& obj, const std::string& key, const std::string& where) {
  const json& v = member(obj, key, where);
  if (!v.is_array()) fail(where, "field '" + key + "': expected an array, got " + type_name(v));
  return v;
}

}  // namespace

std::vector<Example> task_read_glue_tsv(const Task& task, const std::string& path) {
  std::string text = read_file(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a UTF-8 byte order mark (spreadsheets write one)
  const std::vector<std::string> lines = split_lines(text);
  if (lines.empty() || lines[0].empty()) fail(path, "line 1: missing the header line");
  const std::vector<std::string> header = split_tabs(lines[0]);
  const auto column = [&](const std::string& name) -> size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) fail(path, "line 1: header has no column '" + name + "' (columns: " + quoted_list(header) + ")");
    return static_cast<size_t>(it - header.begin());
  };
  std::vector<std::pair<const FieldSpec*, size_t>> cols;
  for (const FieldSpec& f : task.fields) {
    if (f.tsv_column.empty()) fail(path, "task " + task.name + " cannot be read from GLUE TSV (field '" + f.name + "')");
    cols.emplace_back(&f, column(f.tsv_column));
  }
  const bool labelled = task.label_format != LabelFormat::None;
  const size_t label_col = labelled ? column("label") : 0;
  std::vector<Example> out;
  for (size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    const std::string where = path + ":" + std::to_string(n + 1);
    const std::vector<std::string> cells = split_tabs(lines[n]);
    if (cells.size() != header.size())
      fail(where, "expected " + std::to_string(header.size()) + " tab-separated columns, got " + std::to_string(cells.size()));
    Example x;
    x.id = std::to_string(n + 1);
    for (const auto& [f, c] : cols) {
      check_allowed(*f, cells[c], where);
      x.fields[f->name] = cells[c];
    }
    if (labelled) x.label = parse_label_text(task, cells[label_col], where);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<Example> task_read_superglue_jsonl(const Task& task, const std::string& path) {
  const std::vector<std::string> lines = split_lines(read_file(path));
  std::vector<Example> out;
  for (size_t n = 0; n < lines.size(); ++n) {
    if (lines[n].find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(n + 1);
    const json j = json_parse(lines[n], where);
    if (!j.is_object()) fail(where, "expected a JSON object, got " + type_name(j));
    Example x;
    const auto idx = j.find("idx");
    x.id = idx != j.end() && idx->is_number_integer() ? std::to_string(idx->get<int64_t>()) : std::to_string(n + 1);
    for (const FieldSpec& f : task.fields) {
      std::string v = string_member(j, f.name, where);
      check_allowed(f, v, where);
      x.fields[f.name] = std::move(v);
    }
    if (task.label_format != LabelFormat::None) x.label = parse_label_json(task, member(j, "label", where), where);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<Example> task_read_squad_json(const Task&, const std::string& path) {
  const json doc = json_load(path);
  if (!doc.is_object()) fail(path, "expected a JSON object at the top, got " + type_name(doc));
  const json& data = array_member(doc, "data", path);
  std::vector<Example> out;
  for (size_t a = 0; a < data.size(); ++a) {
    const std::string wa = path + ": data[" + std::to_string(a) + "]";
    if (!data[a].is_object()) fail(wa, "expected an object, got " + type_name(data[a]));
    const std::string title = string_member(data[a], "title", wa);
    const json& paras = array_member(data[a], "paragraphs", wa);
    for (size_t p = 0; p < paras.size(); ++p) {
      const std::string wp = wa + ".paragraphs[" + std::to_string(p) + "]";
      if (!paras[p].is_object()) fail(wp, "expected an object, got " + type_name(paras[p]));
      const std::string context = string_member(paras[p], "context", wp);
      const json& qas = array_member(paras[p], "qas", wp);
      for (size_t q = 0; q < qas.size(); ++q) {
        const std::string wq = wp + ".qas[" + std::to_string(q) + "]";
        if (!qas[q].is_object()) fail(wq, "expected an object, got " + type_name(qas[q]));
        Example x;
        x.id = string_member(qas[q], "id", wq);
        x.fields = {{"title", title}, {"context", context}, {"question", string_member(qas[q], "question", wq)}};
        const json& answers = array_member(qas[q], "answers", wq);
        for (size_t k = 0; k < answers.size(); ++k) {
          const std::string wk = wq + ".answers[" + std::to_string(k) + "]";
          if (!answers[k].is_object()) fail(wk, "expected an object, got " + type_name(answers[k]));
          x.answers.push_back(string_member(answers[k], "text", wk));
        }
        if (x.answers.empty()) fail(wq, "no answers (SQuAD v2 unanswerable questions are not supported)");
        out.push_back(std::move(x));
      }
    }
  }
  return out;
}

std::vector<Example> task_read_file(const Task& task, const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (task.kind == TaskKind::Generation) {
    if (ext != ".json") fail(path, "task " + task.name + " reads SQuAD JSON (.json) files");
    return task_read_squad_json(task, path);
  }
  if (ext == ".tsv") return task_read_glue_tsv(task, path);
  if (ext == ".jsonl") return task_read_superglue_jsonl(task, path);
  fail(path, "unknown task file type '" + ext + "' (expected .tsv or .jsonl for task " + task.name + ")");
}

}  // namespace zs
