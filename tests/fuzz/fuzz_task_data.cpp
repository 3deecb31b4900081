// Task data readers (core/llm/text/task_readers.cpp), one binary per format:
//   ZS_FUZZ_TASK 0: GLUE TSV (sst2, rte)   1: SuperGLUE JSONL (rte, boolq, cb, copa)
//               2: SQuAD JSON
// The first input byte picks the task where a format serves several.
#include "core/llm/text/task.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
#if ZS_FUZZ_TASK == 0
  const char* names[] = {"sst2", "rte"};
  const zs::Task& task = zs::task_get(names[data[0] % 2]);
  const std::string p = zs::fuzz::put("train.tsv", in);
  zs::fuzz::expect_ok_or_error([&] { (void)zs::task_read_glue_tsv(task, p); });
#elif ZS_FUZZ_TASK == 1
  const char* names[] = {"rte", "boolq", "cb", "copa"};
  const zs::Task& task = zs::task_get(names[data[0] % 4]);
  const std::string p = zs::fuzz::put("train.jsonl", in);
  zs::fuzz::expect_ok_or_error([&] { (void)zs::task_read_superglue_jsonl(task, p); });
#else
  const zs::Task& task = zs::task_get("squad");
  const std::string p = zs::fuzz::put("train.json", in);
  zs::fuzz::expect_ok_or_error([&] { (void)zs::task_read_squad_json(task, p); });
#endif
  return 0;
}
