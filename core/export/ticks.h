// "Nice" axis ticks (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990) for
// linear and log axes; used by the exporter and the GUI's plotting module.
#pragma once
#include <string>
#include <vector>

namespace zs {

// About `target` ticks covering [lo, hi] at 1/2/5 x 10^k steps.
std::vector<double> nice_ticks(double lo, double hi, int target);
// Decade (and, for short ranges, 2x/5x) ticks for a log axis over [lo, hi] (lo > 0).
std::vector<double> log_ticks(double lo, double hi);
// Compact label: "0.5", "1e-3", "2.5e+04".
std::string tick_label(double v);

}  // namespace zs
