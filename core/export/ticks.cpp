// Nice axis ticks after Heckbert, "Nice numbers for graph labels" (Graphics Gems, 1990):
// the step is a 1, 2 or 5 times a power of ten. Unlike Heckbert's loose labelling the
// ticks returned lie inside [lo, hi] (tight labelling), which is what a fixed axis draws.
#include "core/export/ticks.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace zs {

namespace {

// Heckbert's nicenum: a 1/2/5 x 10^k number near x (rounded, or the next one up).
double nice_number(double x, bool round) {
  const double e = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, e);
  double nf;
  if (round)
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * std::pow(10.0, e);
}

// k * step, snapped so that 3 * 0.1 prints and compares as 0.3.
double tick_at(double k, double step) {
  // Rounded to 6 digits below the step's; dividing by an exact power of ten (rather than
  // multiplying by an inexact 1e-7) gives the double nearest to the decimal value.
  const double v = k * step;
  const double e = std::floor(std::log10(step)) - 6;
  const double r = e < 0 ? std::round(v * std::pow(10.0, -e)) / std::pow(10.0, -e) : std::round(v / std::pow(10.0, e)) * std::pow(10.0, e);
  return r + 0.0;  // + 0.0: no "-0" tick
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) return {lo};
  if (target < 2) target = 2;
  const double range = nice_number(hi - lo, false);
  const double step = nice_number(range / (target - 1), true);
  if (!(step > 0) || !std::isfinite(step)) return {};
  // Tolerance so that an end point equal to a tick up to rounding keeps that tick.
  const double tol = step * 1e-9;
  const double k0 = std::ceil((lo - tol) / step), k1 = std::floor((hi + tol) / step);
  // A range narrow next to its magnitude has tick indices beyond exact integers in a double.
  if (!(std::fabs(k0) < 1e15 && std::fabs(k1) < 1e15)) return {};
  std::vector<double> ticks;
  for (long long k = static_cast<long long>(k0); k <= static_cast<long long>(k1); ++k) ticks.push_back(tick_at(static_cast<double>(k), step));
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (lo > hi) std::swap(lo, hi);
  if (!(lo > 0)) return {};
  const double tol = 1e-9;
  const double decades = std::log10(hi) - std::log10(lo);  // hi / lo may overflow
  const int e0 = static_cast<int>(std::floor(std::log10(lo) + tol)), e1 = static_cast<int>(std::ceil(std::log10(hi) - tol));
  // Few decades: 1, 2, 5 mantissas; many: every k-th decade so that about 8 remain.
  const std::vector<double> mantissas = decades < 2.5 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
  const int every = decades > 8 ? static_cast<int>(std::ceil(decades / 8)) : 1;
  std::vector<double> ticks;
  for (int e = e0; e <= e1; ++e) {
    if (((e % every) + every) % every != 0) continue;
    for (double m : mantissas) {
      const double v = m * std::pow(10.0, e);
      if (v >= lo * (1 - tol) && v <= hi * (1 + tol)) ticks.push_back(v);
    }
  }
  // Under a decade wide with at most one 1/2/5 tick inside: linear nice ticks read better.
  if (ticks.size() < 2) return nice_ticks(lo, hi, 4);
  return ticks;
}

std::string tick_label(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  // Fewest significant digits (up to 10) that give v back to 1e-9 relative.
  int p = 1;
  char buf[64];
  for (; p < 10; ++p) {
    std::snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    if (std::fabs(std::strtod(buf, nullptr) - v) <= 1e-9 * std::fabs(v)) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", p - 1, v);
  const std::string sci = buf;
  const size_t epos = sci.find('e');
  const int exp10 = std::atoi(sci.c_str() + epos + 1);
  if (exp10 >= -3 && exp10 < 4) {
    std::snprintf(buf, sizeof buf, "%.*f", std::max(0, p - 1 - exp10), v);
    return buf;
  }
  // Compact exponent: "1e-5", "2.5e4".
  return sci.substr(0, epos) + "e" + std::to_string(exp10);
}

}  // namespace zs
