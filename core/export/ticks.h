// "Nice" axis ticks (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990) for
// linear and log axes; used by the exporter and the GUI's plotting module.
#pragma once
#include <string>
#include <vector>

namespace zs {

// About `target` ticks at 1/2/5 x 10^k steps, all inside [lo, hi] (a tick equal to an end
// up to rounding is kept); the first is within one step of lo, the last within one of hi.
std::vector<double> nice_ticks(double lo, double hi, int target);
// Decade (and, for short ranges, 2x/5x) ticks inside [lo, hi] for a log axis (lo > 0);
// every k-th decade over many decades; linear nice ticks when under a decade.
std::vector<double> log_ticks(double lo, double hi);
// Compact label, fewest digits that give v back: "0.5", "0.001", "1e-4", "2.5e4", "-3".
std::string tick_label(double v);

}  // namespace zs
