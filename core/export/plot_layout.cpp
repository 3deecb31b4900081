// Plot layout (plot_layout.h): axis scales, robust autoscale, limits and ticks shared by
// the live plots (app/gui/plot.cpp) and the exported plot figures (line_chart.cpp).
#include "core/export/plot_layout.h"
#include <algorithm>
#include <cstdio>
#include "core/export/ticks.h"

namespace zs {

double axis_fwd(double v, const AxisScale& s) {
  if (s.sym) return std::copysign(std::log10(1 + std::fabs(v) / s.c), v);
  return s.log ? std::log10(v) : v;
}
double axis_inv(double u, const AxisScale& s) {
  if (s.sym) return std::copysign(s.c * (std::pow(10.0, std::min(std::fabs(u), kAxisLogLimit)) - 1), u);
  return s.log ? std::pow(10.0, std::clamp(u, -kAxisLogLimit, kAxisLogLimit)) : u;
}
bool axis_usable(double v, const AxisScale& s) { return std::isfinite(v) && (!s.log || v > 0); }

AxisRange axis_sane(AxisRange r, const AxisScale& s) {
  if (s.log) {
    const double floor = std::pow(10.0, -kAxisLogLimit), ceil = std::pow(10.0, kAxisLogLimit);
    if (!(r.hi > 0) || !std::isfinite(r.hi)) r.hi = std::isfinite(r.lo) && r.lo > 0 ? r.lo * 1e3 : 1;
    r.hi = std::clamp(r.hi, floor * 10, ceil);
    if (!(r.lo > 0) || !std::isfinite(r.lo)) r.lo = r.hi / 1e3;
    r.lo = std::clamp(r.lo, floor, r.hi);
    if (!(r.hi > r.lo * (1 + 1e-12))) {
      if (r.lo * 10 <= ceil) r.hi = r.lo * 10;
      else r.lo = r.hi / 10;
    }
    return r;
  }
  if (!std::isfinite(r.lo) || !std::isfinite(r.hi)) return {0, 1};
  if (!(r.hi > r.lo)) {
    const double c = r.lo, d = std::max(0.5, std::fabs(c) * 0.1);
    return {c - d, c + d};
  }
  return r;
}

AxisRange axis_padded(AxisRange r, const AxisScale& s, double frac) {
  const double a = axis_fwd(r.lo, s), b = axis_fwd(r.hi, s), p = (b - a) * frac;
  return {axis_inv(a - p, s), axis_inv(b + p, s)};
}

PlotPool& PlotPools::begin(const std::string& label, uint32_t colour) {
  PlotPool* p = nullptr;
  for (PlotPool& q : pools)
    if (q.label == label) p = &q;
  if (!p) {
    pools.push_back(PlotPool{label, colour, {}, 0, 0, false, NAN});
    p = &pools.back();
  }
  p->nonpos_call = 0;
  p->seen_finite = false;
  return *p;
}

bool PlotPools::take(PlotPool& p, double x, double y) {
  if (!axis_usable(x, sx)) return false;
  // Non-finite values before the first finite one, or between finite ones, mean "not
  // defined here" (no update at step 0, no adaptive step size); a tail of them, a run
  // that diverged.
  if (!std::isfinite(y)) {
    if (p.seen_finite && std::isnan(p.tail_x)) p.tail_x = x;
    return false;
  }
  p.seen_finite = true;
  p.tail_x = NAN;
  if (!axis_usable(y, sy)) {
    ++p.nonpos_call;
    return false;
  }
  dx.lo = std::min(dx.lo, x);
  dx.hi = std::max(dx.hi, x);
  p.pts.emplace_back(x, axis_fwd(y, sy));
  return true;
}

namespace {

// Data value of an axis coordinate without the limit clamp (notes quote the true extreme).
double raw_inv(double u, const AxisScale& s) { return s.log ? std::pow(10.0, u) : axis_inv(u, s); }

std::string short_num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

// Symlog ticks: 0 and decades c 10^k on either side (log_ticks of each half, mirrored).
std::vector<double> symlog_ticks(double lo, double hi, double c) {
  std::vector<double> t;
  if (lo < -c)
    for (double v : log_ticks(c, -lo)) t.push_back(-v);
  if (lo <= 0 && hi >= 0) t.push_back(0);
  if (hi > c)
    for (double v : log_ticks(c, hi)) t.push_back(v);
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace

// Each series' range is its min..max in axis space; the reference is the median series
// (the lower median of the maxima, the upper median of the minima), so one diverged run
// cannot stretch the axis: a series whose maximum lies beyond the reference by more than
// 3 decades (log) or 10 reference spans (linear) is clipped at the top, named in a note
// and marked where it leaves the plot. With fewer than three series there is no majority
// to go by: nothing is clipped. Log axes span at most max_decades below the top (denormal
// losses), and values <= 0 or non-finite values, which a log axis cannot draw, are
// counted in a note.
PlotAutoscale plot_autoscale(const PlotPools& pp, double max_decades, bool clip_top) {
  PlotAutoscale out;
  struct S {
    const PlotPool* p;
    double lo, hi;
  };
  std::vector<S> ss;
  for (const PlotPool& p : pp.pools) {
    if (p.nonpos > 0)
      out.notes_data.push_back(p.label + ": " + std::to_string(p.nonpos) + (p.nonpos == 1 ? " value" : " values") +
                               " <= 0 not shown (log y)");
    if (!std::isnan(p.tail_x)) {
      out.notes_data.push_back(p.label + ": non-finite from x = " + short_num(p.tail_x));
      out.clip_marks.emplace_back(p.tail_x, p.colour);
    }
    if (p.pts.empty()) continue;
    double lo = 1e308, hi = -1e308;
    for (const auto& q : p.pts) {
      lo = std::min(lo, q.second);
      hi = std::max(hi, q.second);
    }
    ss.push_back({&p, lo, hi});
  }
  if (ss.empty()) return out;
  std::vector<double> los, his;
  for (const S& x : ss) {
    los.push_back(x.lo);
    his.push_back(x.hi);
  }
  std::sort(los.begin(), los.end());
  std::sort(his.begin(), his.end());
  const size_t n = ss.size();
  const double ref_hi = his[(n - 1) / 2], ref_lo = los[n / 2];
  const AxisScale& sy = pp.sy;
  const bool logy = sy.log || sy.sym;
  const double span = std::max(ref_hi - ref_lo, 1e-12 * std::max(std::fabs(ref_hi), std::fabs(ref_lo)) + 1e-300);
  const double tol = logy ? 3.0 : 10 * span;
  double lo = 1e308, hi = -1e308;
  std::vector<const S*> top, bottom;
  for (const S& x : ss) {
    if (clip_top && n >= 3 && x.hi > ref_hi + tol) top.push_back(&x);
    else hi = std::max(hi, x.hi);
    if (clip_top && n >= 3 && !logy && x.lo < ref_lo - tol) bottom.push_back(&x);
    else lo = std::min(lo, x.lo);
  }
  if (!(hi >= lo)) return out;
  std::string clip;
  const auto add = [&](const std::string& s) { clip += (clip.empty() ? "" : ", ") + s; };
  for (const S* x : top) {
    out.clipped.insert(x->p->label);
    add(x->p->label + " (max " + short_num(raw_inv(x->hi, sy)) + ")");
    for (const auto& q : x->p->pts)
      if (q.second > hi) {
        out.clip_marks.emplace_back(q.first, x->p->colour);
        break;
      }
  }
  for (const S* x : bottom) {
    out.clipped.insert(x->p->label);
    add(x->p->label + " (min " + short_num(raw_inv(x->lo, sy)) + ")");
  }
  if (!clip.empty()) out.auto_notes.push_back("clipped: " + clip);
  if (sy.log) {
    const double floor = std::max(-kAxisLogLimit, hi - std::max(1.0, max_decades));
    if (lo < floor) {
      std::string below;
      for (const S& x : ss)
        if (x.lo < floor) below += (below.empty() ? "" : ", ") + x.p->label + " (min " + short_num(raw_inv(x.lo, sy)) + ")";
      out.auto_notes.push_back("below " + short_num(axis_inv(floor, sy)) + ": " + below);
      lo = floor;
    }
    hi = std::min(hi, kAxisLogLimit);
  }
  out.y = {axis_inv(lo, sy), axis_inv(hi, sy)};
  out.x = pp.dx;
  out.scaled = true;
  out.has_data = pp.dx.hi >= pp.dx.lo;
  return out;
}

AxisRange plot_x_limits(const PlotAutoscale& a, const AxisScale& sx) { return axis_sane(a.x, sx); }
bool plot_x_cover(AxisRange& out, const AxisRange& data, bool has_data, const AxisRange& span, const AxisScale& sx) {
  AxisRange r{1e300, -1e300};
  if (has_data) r = data;
  if (axis_usable(span.lo, sx)) r.lo = std::min(r.lo, span.lo);
  if (axis_usable(span.hi, sx)) r.hi = std::max(r.hi, span.hi);
  if (!(r.hi >= r.lo)) return false;
  out = r;
  return true;
}

AxisRange plot_y_limits(const PlotAutoscale& a, const AxisScale& sy) {
  return axis_sane(axis_padded(axis_sane(a.y, sy), sy, 0.06), sy);
}

std::vector<double> plot_ticks(const AxisRange& r, const AxisScale& s, bool y, const std::vector<double>& fixed) {
  std::vector<double> t;
  if (!fixed.empty()) {
    for (double v : fixed)
      if (v >= r.lo && v <= r.hi) t.push_back(v);
    return t;
  }
  if (s.sym) return symlog_ticks(r.lo, r.hi, s.c);
  // About 6 ticks across and 5 up: what a plot of a few hundred pixels labels legibly.
  return s.log ? log_ticks(r.lo, r.hi) : nice_ticks(r.lo, r.hi, y ? 5 : 6);
}

}  // namespace zs
