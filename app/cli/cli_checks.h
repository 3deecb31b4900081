// CLI11 validators for zoscope-cli's numeric options, shared by zoscope-cli and zoscope-llm:
// one line naming the option and the text given. CLI11 read "" as 0 (`sweep --target ''`
// ran with target 0 and exit status 0), its Range said "Value 2.5 not in range 1 to 10000"
// for a number in range that is not whole, and NonNegativeNumber printed DBL_MAX in full.
#pragma once
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <CLI/CLI.hpp>
#include "core/util/text_list.h"

namespace zs {

// A whole number in [lo, hi] (digits with an optional sign; hi up to 2^64 - 1).
inline CLI::Validator cli_whole(long double lo, long double hi) {
  const bool bounded = lo > std::numeric_limits<int32_t>::min() || hi < std::numeric_limits<int32_t>::max();
  const auto text = [](long double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0Lf", v);
    return std::string(b);
  };
  const std::string range = bounded ? " in [" + text(lo) + ", " + text(hi) + "]" : "";
  return CLI::Validator(
      [=](std::string& s) -> std::string {
        if (s.empty()) return "is empty; expected a whole number" + range;
        size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
        if (i == s.size() || s.find_first_not_of("0123456789", i) != std::string::npos || s.size() > 21)
          return "value " + s + " is not a whole number" + range;
        long double v = 0;
        for (; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
        if (s[0] == '-') v = -v;
        if (v < lo || v > hi) return "value " + s + " is outside" + (bounded ? range.substr(3) : " the range of a whole number");
        return "";
      },
      bounded ? range.substr(1) : "");
}
// A finite number ("", "nan", "inf", "1e999" and "1x" refused).
inline CLI::Validator cli_finite() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s.empty()) return "is empty; expected a finite number";
        try {
          (void)text_number(s, "");
        } catch (const std::exception&) {
          return "value " + s + " is not a finite number";
        }
        return "";
      },
      "");
}

}  // namespace zs
