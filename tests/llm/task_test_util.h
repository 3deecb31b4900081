// Helpers shared by the task tests (tests/llm/test_text_tasks.cpp, test_torch_tasks.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include "core/llm/text/task.h"
#include "core/util/error.h"

namespace zs_test {

// An example with the given fields and label (id "t").
inline zs::Example make(std::map<std::string, std::string> fields, int32_t label = -1) {
  zs::Example x;
  x.id = "t";
  x.fields = std::move(fields);
  x.label = label;
  return x;
}

// The message of the zs::Error thrown by f ("" if none is thrown).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const zs::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace zs_test
