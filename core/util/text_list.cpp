// Comma-separated lists from the command line and forms (see text_list.h).
#include "core/util/text_list.h"
#include <cmath>
#include <cstdlib>
#include "core/util/error.h"

namespace zs {

namespace {

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// The finite number that is the whole of `item` (spaces around it allowed), else NaN.
double text_number_or_nan(const std::string& item) {
  const std::string t = trimmed(item);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  return !t.empty() && !*end && std::isfinite(v) ? v : NAN;
}

}  // namespace

std::vector<std::string> text_list(const std::string& text, const std::string& where, char sep) {
  const std::string expected = "; expected items separated by '" + std::string(1, sep) + "'";
  if (trimmed(text).empty()) fail(where, "got \"" + text + "\", an empty list" + expected);
  std::vector<std::string> items;
  size_t from = 0;
  for (;;) {
    const size_t at = text.find(sep, from);
    const std::string item = trimmed(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (item.empty())
      fail(where, "got \"" + text + "\": item " + std::to_string(items.size() + 1) + " is empty" + expected);
    items.push_back(item);
    if (at == std::string::npos) return items;
    from = at + 1;
  }
}

double text_number(const std::string& item, const std::string& where) {
  const double v = text_number_or_nan(item);
  if (std::isnan(v)) fail(where, "\"" + item + "\" is not a finite number");
  return v;
}

std::vector<double> text_number_list(const std::string& text, const std::string& where, char sep) {
  std::vector<double> out;
  for (const std::string& item : text_list(text, where, sep)) {
    const double v = text_number_or_nan(item);
    if (std::isnan(v))
      fail(where, "got \"" + text + "\": item " + std::to_string(out.size() + 1) + ", \"" + item + "\", is not a finite number");
    out.push_back(v);
  }
  return out;
}

}  // namespace zs
