// Tasks of LLM mode with the MeZO prompt templates (Malladi et al. 2023, official code
// princeton-nlp/MeZO large_models/templates.py and tasks.py), their file readers and the
// SQuAD metrics. Torch-free.
//
// A task turns an Example into a prompt (MeZO `template.encode(x).strip(' ')`) and one
// continuation per candidate, such that prompt + continuation is MeZO's
// `template.verbalize(x, c).strip(' ')`. The candidate's tokens are the ones the prompt
// alone does not have (MeZO's option_len). The templates, exactly:
//   sst2       "<sentence> It was" + " terrible" | " great"        (sentence stripped)
//   rte        "<premise>\nDoes this mean that \"<hypothesis>\" is true? Yes or No?\n"
//              + "Yes" (entailment) | "No" (not_entailment)
//   cb         "Suppose <premise> Can we infer that \"<hypothesis>\"? Yes, No, or Maybe?\n"
//              + "Yes" (entailment) | "No" (contradiction) | "Maybe" (neutral)
//   boolq      "<passage> <Question>?\n" + "No" (false) | "Yes" (true); the question gets a
//              '?' if it has none and an upper-case first letter (MeZO BoolQTemplateV3)
//   copa       "<premise without its trailing '.'> so" (effect) | " because" (cause)
//              + " " + choice, the choice's first word lower-cased unless it is "I"
//   squad      "Title: <title>\nContext: <context>\nQuestion: <question>\nAnswer:"
//              + " <answer>\n" (training target; evaluation decodes greedily)
//   sentiment  the sst2 template on the embedded generated corpus (corpus.h)
// Where this follows MeZO's code rather than a one-line summary: the RTE/CB/BoolQ label
// word comes right after the prompt's final newline (no space), and CB uses MeZO's
// PromptSource prompt ("Suppose ... Can we infer that ...").
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zs {

enum class TaskKind { Classification, MultipleChoice, Generation };

// What a training batch optimises (data.h builds the rows, task_torch.h the loss):
// Candidates: one row per candidate, cross-entropy over candidates of the mean log-prob of
// each candidate's tokens (MeZO --train_as_classification). GoldSpan: the gold
// continuation only, LM loss on its tokens (MeZO without it: COPA, SQuAD).
enum class Objective { Candidates, GoldSpan };

struct Example {
  std::string id;                             // from the file ("idx", SQuAD "id") or its line number
  std::map<std::string, std::string> fields;  // "sentence", "premise", "question", ...
  int32_t label = -1;                         // gold candidate (classification, multiple choice)
  std::vector<std::string> answers;           // generation: gold answers (the first is the training target)

  // The field's text; zs::Error if the example has no such field.
  const std::string& field(const std::string& name) const;
};

// How the file readers find an example's fields.
struct FieldSpec {
  std::string name;                  // the Example field and the SuperGLUE JSONL key
  std::string tsv_column;            // the GLUE TSV header name ("" = not read from TSV)
  std::vector<std::string> allowed;  // non-empty: the only accepted values
};

enum class LabelFormat {
  None,    // generation: no label
  Index,   // integer 0..n-1 (SST-2 TSV "0"/"1", COPA JSON 0/1)
  Name,    // one of label_names (RTE "entailment"/"not_entailment", CB)
  Bool,    // JSON true/false -> 1/0 (BoolQ)
};

enum class Metric { Accuracy, SquadF1 };

struct Task {
  std::string name;
  TaskKind kind = TaskKind::Classification;
  Objective objective = Objective::Candidates;  // the MeZO default for this task
  Metric metric = Metric::Accuracy;
  std::vector<std::string> label_words;  // classification: the continuation of label i
  std::vector<FieldSpec> fields;
  LabelFormat label_format = LabelFormat::None;
  std::vector<std::string> label_names;  // LabelFormat::Name, in label order
  // Standard file names inside a task folder: training pool and evaluation pool (MeZO
  // samples its test set from the official validation split).
  std::vector<std::string> train_files, eval_files;
  bool generated = false;  // data from the embedded generator (corpus.h), not from files

  std::string (*prompt_fn)(const Example&) = nullptr;
  std::vector<std::string> (*continuations_fn)(const Task&, const Example&) = nullptr;

  // MeZO encode(x).strip(' ').
  std::string prompt(const Example& x) const { return prompt_fn(x); }
  // One continuation per candidate (classification/multiple choice); generation: the gold
  // training target " <answers[0]>\n".
  std::vector<std::string> continuations(const Example& x) const { return continuations_fn(*this, x); }
  // Number of candidates of an example (0 for generation).
  int32_t num_candidates(const Example& x) const;
};

// The registry: "sst2", "rte", "cb", "boolq", "copa", "squad", "sentiment".
// zs::Error naming the known tasks for any other name.
const Task& task_get(std::string_view name);
std::vector<std::string> task_names();

// ---- readers: every problem is one zs::Error line naming the file and the line or field.
// GLUE TSV with a header line; columns found by name (task.fields[].tsv_column and
// "label"), unquoted, '\t'-separated, CRLF accepted, blank lines skipped.
std::vector<Example> task_read_glue_tsv(const Task& task, const std::string& path);
// SuperGLUE JSONL: one JSON object per line with the task's string fields and "label".
std::vector<Example> task_read_superglue_jsonl(const Task& task, const std::string& path);
// SQuAD v1.1 JSON: data[].{title, paragraphs[].{context, qas[].{id, question, answers[].text}}};
// one Example per question (fields title, context, question; answers in file order).
std::vector<Example> task_read_squad_json(const Task& task, const std::string& path);
// By extension: .tsv GLUE, .jsonl SuperGLUE, .json SQuAD.
std::vector<Example> task_read_file(const Task& task, const std::string& path);

// ---- SQuAD metrics (official evaluate-v1.1.py / MeZO metrics.py semantics): lower-case,
// drop ASCII punctuation (string.punctuation), drop the words a/an/the, collapse
// whitespace. Word boundaries are ASCII: bytes >= 0x80 count as word characters (Python's
// \b is Unicode-aware; this differs only next to non-ASCII punctuation).
std::string squad_normalize(std::string_view s);
// Max over gold answers of the token-overlap F1 (0 when none overlaps); EM likewise (0/1).
double squad_f1(std::string_view prediction, const std::vector<std::string>& answers);
double squad_em(std::string_view prediction, const std::vector<std::string>& answers);

}  // namespace zs
