// The lists typed on a command line (core/util/text_list.h: --lr-factors, --runs, and
// sweep --param NAME=v1,v2 / NAME=a:b:log:n through sweep_param_parse): any text is
// accepted or refused with one zs::Error line; accepted numbers are finite, one per item,
// and written back with fmt_double they read back to the same values.
#include <cmath>
#include <optional>
#include "core/run/sweep.h"
#include "core/util/text_list.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<std::vector<double>> values;
  zs::fuzz::expect_ok_or_error([&] { values = zs::text_number_list(text, "--lr-factors"); });
  if (values) {
    size_t commas = 0;
    for (char c : text) commas += c == ',';
    if (values->size() != commas + 1) std::abort();  // one value per item, none dropped
    std::string again;
    for (double v : *values) {
      if (!std::isfinite(v)) std::abort();
      again += (again.empty() ? "" : ",") + zs::fmt_double(v);
    }
    try {
      if (zs::text_number_list(again, "--lr-factors") != *values) std::abort();
    } catch (...) {
      std::abort();  // what was read must read back
    }
  }
  zs::fuzz::expect_ok_or_error([&] { (void)zs::text_list(text, "--runs"); });
  zs::fuzz::expect_ok_or_error([&] { (void)zs::sweep_param_parse("lr=" + text); });
  return 0;
}
