// Plots panel: loss (vs steps or forward passes, log y, EMA smoothing over a faint raw
// curve), effective per-dimension step size (2-D: alpha_x, alpha_y or their ratio; N-D:
// the alpha_q25..alpha_q75 band around the median), cosine of the update with the true
// gradient, and path length. Every plot is drawn by plot.h. Language models: the third plot
// shows the dev metric or the cosine with the backprop gradient, and a fifth row the
// per-tensor heatmap (tensor_heatmap.h). Runs followed from another process's folder
// (follow_run.h) come after the experiment's runs, "(followed)" in the legend.
#include <imgui.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>
#include "app/gui/app.h"
#include "app/gui/overlay.h"
#include "app/gui/panels.h"
#include "app/gui/plot.h"
#include "app/gui/tensor_heatmap.h"
#include "app/gui/text_wrap.h"
#include "core/export/line_chart.h"

namespace zs::gui {

namespace {

struct RunSeries {
  std::vector<double> x, loss, loss_s, ax, ay, ratio, ax_s, ay_s, ratio_s, q25, q50, q75, cos, cos_s, path;
  std::vector<double> dev_x, dev;  // language models: the dev metric at evaluated steps
  std::vector<double> cos_x, cos_v;  // language models: the cosine at the steps that measured it
  std::vector<double> prev_x, prev_loss;  // language models: the run's curve before its restart
};

// Series derived from the records, rebuilt only when the records or the options change.
struct SeriesCache {
  uint64_t app = 0;
  uint64_t runs_serial = ~0ull;
  bool x_fp = false, log_y = false;
  float smoothing = -1;
  double f_min = 0;
  size_t n_exp = 0;  // runs[0, n_exp): the experiment's; the rest: results().followed
  // Log y with losses below zero (a typed expression, an f* that is not the minimum):
  // symmetric log, linear within +-linthresh, instead of dropping them.
  bool symlog = false;
  double linthresh = 1;
  std::vector<RunSeries> runs;
};

// Exponential moving average with bias correction (the first values are not pulled
// towards zero); in log space for log axes so that decades are smoothed evenly.
std::vector<double> ema(const std::vector<double>& v, double w, bool log) {
  std::vector<double> out(v.size(), NAN);
  double acc = 0, norm = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double x = log ? (v[i] > 0 ? std::log10(v[i]) : NAN) : v[i];
    if (!std::isfinite(x)) continue;
    acc = w * acc + (1 - w) * x;
    norm = w * norm + (1 - w);
    const double s = acc / norm;
    out[i] = log ? std::pow(10.0, s) : s;
  }
  return out;
}

// One run's series from its rows (and, language models, its curve before a restart).
void fill_series(RunSeries& s, const RunRecord& rec, const RunRecord* prev, bool x_fp, double f_min, double w, bool log_y) {
  for (const StepRow& r : rec.rows) {
    s.x.push_back(x_fp ? static_cast<double>(r.fp) : static_cast<double>(r.step));
    s.loss.push_back(r.loss - f_min);
    s.ax.push_back(r.alpha_x);
    s.ay.push_back(r.alpha_y);
    s.ratio.push_back(r.alpha_x / r.alpha_y);
    s.q25.push_back(r.alpha_q25);
    s.q50.push_back(r.alpha_median);
    s.q75.push_back(r.alpha_q75);
    s.cos.push_back(r.cos_grad);
    s.path.push_back(r.path_length);
    if (std::isfinite(r.dev_metric)) {
      s.dev_x.push_back(s.x.back());
      s.dev.push_back(r.dev_metric);
    }
    if (std::isfinite(r.cos_grad)) {
      s.cos_x.push_back(s.x.back());
      s.cos_v.push_back(r.cos_grad);
    }
  }
  if (prev)
    for (const StepRow& r : prev->rows) {
      s.prev_x.push_back(x_fp ? static_cast<double>(r.fp) : static_cast<double>(r.step));
      s.prev_loss.push_back(r.loss - f_min);
    }
  s.prev_loss = ema(s.prev_loss, w, log_y);
  s.loss_s = ema(s.loss, w, log_y);
  s.cos_s = ema(s.cos, w, false);
  // Per-coordinate step sizes of adaptive ZO methods jump every step: smoothed in log
  // space like the loss, raw shown as a faint envelope.
  s.ax_s = ema(s.ax, w, true);
  s.ay_s = ema(s.ay, w, true);
  s.ratio_s = ema(s.ratio, w, true);
}

void rebuild(SeriesCache& c, const App& app, double f_min) {
  const Model& m = app.model();
  c.app = app.instance();
  c.runs_serial = app.results().runs_serial;
  c.x_fp = m.plots.x_fp;
  c.log_y = m.plots.log_y;
  c.smoothing = m.plots.smoothing;
  c.f_min = f_min;
  c.n_exp = app.exp().runs.size();
  const std::vector<RunRecord>& followed = app.results().followed;
  c.runs.assign(c.n_exp + followed.size(), RunSeries());
  const double w = std::clamp(static_cast<double>(m.plots.smoothing), 0.0, 0.999);
  for (size_t i = 0; i < c.n_exp; ++i) {
    const RunRecord* rec = app.record(static_cast<int>(i));
    if (!rec) continue;
    const RunRecord* prev = i < app.results().previous.size() ? &app.results().previous[i] : nullptr;
    fill_series(c.runs[i], *rec, prev, c.x_fp, f_min, w, c.log_y);
  }
  // Followed runs are language-model fine-tunes: their loss is not the scene's (no f*).
  for (size_t k = 0; k < followed.size(); ++k) fill_series(c.runs[c.n_exp + k], followed[k], nullptr, c.x_fp, 0, w, c.log_y);
  // Symlog when some loss is below zero by more than rounding; its linear part spans the
  // smallest magnitudes that matter (the 5th percentile of |loss|), so the rest of the
  // axis reads in decades as before. Exact zeros alone keep the log axis (noted there).
  double big = 0;
  std::vector<double> mags;
  for (const RunSeries& r : c.runs)
    for (double v : r.loss)
      if (std::isfinite(v) && v != 0) {
        big = std::max(big, std::fabs(v));
        mags.push_back(std::fabs(v));
      }
  c.symlog = false;
  for (const RunSeries& r : c.runs)
    for (double v : r.loss) c.symlog = c.symlog || (std::isfinite(v) && v < -1e-9 * big);
  if (c.symlog && !mags.empty()) {
    const size_t k = mags.size() / 20;
    std::nth_element(mags.begin(), mags.begin() + static_cast<std::ptrdiff_t>(k), mags.end());
    c.linthresh = std::max(mags[k], 1e-9 * big);
    for (RunSeries& r : c.runs) r.loss_s = ema(r.loss, w, false);  // log-space EMA needs v > 0
  }
}

plot::PlotState g_loss, g_alpha, g_cos, g_path;

std::string fmt3(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2g", v);
  return b;
}

// What one legend entry and series of the plots stand for: an experiment run or a
// followed one (read-only), its series in the cache.
struct Entry {
  std::string label;
  uint32_t colour = 0;
  bool followed = false;
  const RunSeries* s = nullptr;
};
SeriesCache g_cache;
std::vector<Entry> g_entries;  // the last frame's (tests: plots_panel_series)

bool g_llm_cos = false;  // language models: the third plot shows the cosine, not the dev metric

// Suboptimality f - f* on a log axis when the minimum value is known.
double loss_offset(const App& app) {
  const Model& m = app.model();
  const Scene* s = app.scene();
  return s && m.plots.log_y && std::isfinite(s->landscape->info().min_value) ? s->landscape->info().min_value : 0;
}

// The visible runs with rows: the experiment's, then the followed ones.
void entries_of(const SeriesCache& cache, const App& app, std::vector<Entry>& entries) {
  const Experiment& e = app.exp();
  entries.clear();
  for (size_t i = 0; i < cache.runs.size(); ++i) {
    const RunSeries& r = cache.runs[i];
    if (r.x.empty()) continue;
    if (i < cache.n_exp && i < e.runs.size()) {
      if (e.runs[i].visible) entries.push_back({e.runs[i].label, e.runs[i].colour, false, &r});
    } else if (i >= cache.n_exp && i - cache.n_exp < app.results().followed.size()) {
      const RunRecord& f = app.results().followed[i - cache.n_exp];
      entries.push_back({f.label + " (followed)", f.colour, true, &r});
    }
  }
}

ChartSeries series_of(const Entry& spec, const std::vector<double>& xs, const std::vector<double>& ys, double alpha = 1,
                      double width = 2, bool in_legend = true) {
  ChartSeries se;
  se.label = spec.label;
  se.rgb = spec.colour;
  se.xs = xs;
  se.ys = ys;
  se.dots = false;
  se.alpha = alpha;
  se.width = width;
  se.in_legend = in_legend;
  return se;
}
ChartSeries envelope_of(const Entry& spec, const std::vector<double>& xs, const std::vector<double>& ys, double alpha) {
  ChartSeries se = series_of(spec, xs, ys, alpha, 1, false);
  se.envelope = true;
  return se;
}

// The budget in the plots' x unit (steps or forward passes); NaN when it is in the other
// unit and no run has said its forward passes per step yet.
double budget_in_axis_unit(const App& app) {
  const Model& m = app.model();
  const Experiment& e = m.exp;
  if (m.plots.x_fp == (e.max_fp > 0)) return static_cast<double>(e.max_fp > 0 ? e.max_fp : e.max_steps);
  double per_step = 0;  // the fewest forward passes per step: the furthest any run can go
  for (const RunRecord& r : app.results().runs)
    if (r.fp_per_step > 0) per_step = per_step > 0 ? std::min(per_step, r.fp_per_step) : r.fp_per_step;
  if (!(per_step > 0)) return NAN;
  return m.plots.x_fp ? static_cast<double>(e.max_steps) * per_step : std::floor(static_cast<double>(e.max_fp) / per_step);
}

// The four plots (loss, step size, cosine or dev metric, path length) as core charts: the
// panel draws exactly these (draw_chart) and export_plots writes them, so both have one
// layout (plot_layout.h). Series order is drawing order.
void build_charts(const SeriesCache& cache, const App& app, const std::vector<Entry>& entries, double f_min,
                  std::array<LineChart, 4>& out) {
  const Model& m = app.model();
  const bool nd = m.exp.landscape.dim > 2 || m.llm;  // language models: quantile bands like N-D
  const bool smooth = m.plots.smoothing > 0;
  // One x range for the four plots, the loss plot's (step 0 to the furthest run's current
  // step or forward pass), so stacked plots line up: a dev metric starts at its first
  // evaluation and a step size at step 1, but their plots still open at 0.
  AxisRange span{0, NAN};  // steps and forward passes count from 0
  for (const Entry& spec : entries)
    for (const std::vector<double>* xs : {&spec.s->x, &spec.s->prev_x})
      for (double v : *xs)
        if (std::isfinite(v)) {
          span.lo = std::min(span.lo, v);
          span.hi = std::isnan(span.hi) ? v : std::max(span.hi, v);
        }
  // Before any rows (a language model loading), the budget in the axis' unit: not the x
  // range a previous scene left.
  if (std::isnan(span.hi)) span.hi = budget_in_axis_unit(app);
  for (LineChart& c : out) {
    c = LineChart();
    c.xlabel = m.plots.x_fp ? "forward passes" : "steps";
    c.x_span = span;
  }

  LineChart& loss = out[0];
  loss.title = f_min != 0 ? "loss - f*" : "loss";
  loss.y_log = m.plots.log_y;
  loss.y_symlog = m.plots.log_y && cache.symlog;
  loss.y_linthresh = cache.linthresh;
  if (loss.y_symlog) loss.notes.push_back("loss < 0: symlog y, linear within +-" + fmt3(cache.linthresh));
  for (const Entry& spec : entries) {
    const RunSeries& r = *spec.s;
    if (!r.prev_x.empty())  // the curve before a restart (language models): thin and faint
      loss.series.push_back(series_of(spec, r.prev_x, r.prev_loss, 0.35, 1, false));
    if (smooth) loss.series.push_back(envelope_of(spec, r.x, r.loss, 0.16));
    loss.series.push_back(series_of(spec, r.x, smooth ? r.loss_s : r.loss));
  }

  LineChart& alpha = out[1];
  // Titles fit the Plots panel at 1024 wide; where one is shortened, its hover says it whole.
  if (nd) alpha.title_tip = "step size per dimension: the median, in the band from the 25th to the 75th percentile";
  alpha.title = nd ? "step size (median, q25..q75)"
                : m.plots.alpha_ratio ? "step size ratio alpha_x / alpha_y"
                                      : "step size alpha_x (solid), alpha_y (faint)";
  alpha.y_log = true;
  for (const Entry& spec : entries) {
    const RunSeries& r = *spec.s;
    if (nd || spec.followed) {  // followed runs are language models: quantile bands
      ChartSeries se = series_of(spec, r.x, r.q50);
      se.lo = r.q25;
      se.hi = r.q75;
      alpha.series.push_back(std::move(se));
    } else {
      const std::vector<double>& a = m.plots.alpha_ratio ? r.ratio : r.ax;
      const std::vector<double>& as = m.plots.alpha_ratio ? r.ratio_s : r.ax_s;
      if (smooth) alpha.series.push_back(envelope_of(spec, r.x, a, 0.12));
      if (!m.plots.alpha_ratio) alpha.series.push_back(series_of(spec, r.x, smooth ? r.ay_s : r.ay, 0.5, 1, false));
      alpha.series.push_back(series_of(spec, r.x, smooth ? as : a));
    }
  }

  // Language models: the third plot is the dev metric at the evaluation steps, or the
  // cosine of the update with the backprop gradient at the steps of runs that measure it
  // (cosine_every; autoscaled: a single-direction ZO step's cosine is ~ 1/sqrt(d)).
  LineChart& cos = out[2];
  const bool llm_cos_shown = m.llm && g_llm_cos;
  cos.y_fixed = !llm_cos_shown;
  cos.y_range = m.llm ? AxisRange{-0.02, 1.02} : AxisRange{-1.05, 1.05};
  cos.y_ticks = llm_cos_shown ? std::vector<double>{} : m.llm ? std::vector<double>{0, 0.5, 1} : std::vector<double>{-1, 0, 1};
  cos.title = !m.llm        ? "cos(update, -true gradient)"
              : llm_cos_shown ? "cos(update, -backprop grad.)"
                              : "dev metric (accuracy or F1)";
  if (m.llm)
    cos.title_tip = llm_cos_shown ? "cos(update, -backprop gradient), every \"cosine every\" steps (scene panel)"
                                  : "dev metric (accuracy or F1) at the evaluations (every \"eval every\" steps)";
  if (!m.llm && !app.results().followed.empty()) cos.title += " | followed: dev metric";
  for (const Entry& spec : entries) {
    const RunSeries& r = *spec.s;
    if (m.llm || spec.followed) {  // followed runs in a landscape scene: their dev metric
      cos.series.push_back(series_of(spec, llm_cos_shown ? r.cos_x : r.dev_x, llm_cos_shown ? r.cos_v : r.dev));
      continue;
    }
    if (smooth) cos.series.push_back(envelope_of(spec, r.x, r.cos, 0.07));
    cos.series.push_back(series_of(spec, r.x, smooth ? r.cos_s : r.cos));
  }

  LineChart& path = out[3];
  path.title = "path length";
  for (const Entry& spec : entries) path.series.push_back(series_of(spec, spec.s->x, spec.s->path));
}

// One chart's series through the plotting module, in order (plot.h).
void draw_chart(const LineChart& c) {
  for (const ChartSeries& se : c.series) {
    const int n = static_cast<int>(se.xs.size());
    const ImU32 col = rgb_u32(se.rgb, static_cast<float>(se.alpha));
    if (se.envelope) {
      plot::envelope(se.label.c_str(), col, se.xs.data(), se.ys.data(), n);
      continue;
    }
    if (!se.lo.empty()) plot::band(se.label.c_str(), col, se.xs.data(), se.lo.data(), se.hi.data(), n);
    plot::line(se.label.c_str(), col, se.xs.data(), se.ys.data(), n, static_cast<float>(se.width), se.in_legend);
  }
}

// The PlotState settings a chart fixes (scale, fixed range and ticks, notes).
void configure(plot::PlotState& st, const LineChart& c) {
  st.title_tip = c.title_tip;
  st.x_span = c.x_span;
  st.y_symlog = c.y_symlog;
  st.y_linthresh = c.y_linthresh;
  st.notes = c.notes;
  st.y_fixed = c.y_fixed;
  if (c.y_fixed) st.y = c.y_range;
  st.y_ticks = c.y_ticks;
  st.max_decades = c.max_decades;
}

std::array<LineChart, 4> g_charts;
uint64_t g_charts_key = 0;
uint64_t g_cache_gen = 0;  // rebuilds of g_cache: the charts copy its series

}  // namespace

// One legend for the four plots, above them, wrapped to the panel's width: always
// visible, never over the data or the hover read-out (the plots' own legends show while
// hovered). A click on an entry hides or shows that run in every plot.
void draw_shared_legend(App& app, const std::vector<Entry>& entries) {
  const float fs = ImGui::GetFontSize(), sw = fs * 1.1f, pad = fs * 0.35f;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  plot::PlotState* plots[] = {&g_loss, &g_alpha, &g_cos, &g_path};
  bool first = true;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& spec = entries[i];
    const ImVec2 sz(sw + pad + ImGui::CalcTextSize(spec.label.c_str()).x, fs * 1.2f);
    if (!first && ImGui::GetItemRectMax().x + 2 * pad + sz.x < right) ImGui::SameLine(0, 2 * pad);
    first = false;
    ImGui::PushID(static_cast<int>(i));
    const bool clicked = ImGui::InvisibleButton("##legend", sz);
    ImGui::PopID();
    app.note_item("plots/legend/" + spec.label);
    if (spec.followed && ImGui::IsItemHovered())
      ImGui::SetTooltip("followed from another process's folder (File > Follow run directory): read-only");
    const bool off = g_loss.hidden.count(spec.label) > 0;
    if (clicked)
      for (plot::PlotState* st : plots) {
        if (off) st->hidden.erase(spec.label);
        else st->hidden.insert(spec.label);
      }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p0 = ImGui::GetItemRectMin();
    if (ImGui::IsItemHovered()) dl->AddRectFilled(p0, ImGui::GetItemRectMax(), IM_COL32(255, 255, 255, 25));
    const float cy = p0.y + sz.y / 2;
    dl->AddLine(ImVec2(p0.x, cy), ImVec2(p0.x + sw, cy), off ? IM_COL32(110, 110, 110, 160) : rgb_u32(spec.colour), 2.f);
    dl->AddText(ImVec2(p0.x + sw + pad, cy - fs / 2), ImGui::GetColorU32(off ? ImGuiCol_TextDisabled : ImGuiCol_Text), spec.label.c_str());
  }
}

const std::vector<double>* plots_panel_series(const std::string& label, const std::string& what) {
  for (const Entry& e : g_entries) {
    if (e.label != label) continue;
    const RunSeries& r = *e.s;
    return what == "x" ? &r.x : what == "loss" ? &r.loss : what == "dev_x" ? &r.dev_x : what == "dev" ? &r.dev
           : what == "q50" ? &r.q50 : what == "path" ? &r.path : nullptr;
  }
  return nullptr;
}

std::array<LineChart, 4> plots_panel_charts(const App& app) {
  SeriesCache cache;
  const double f_min = loss_offset(app);
  rebuild(cache, app, f_min);
  std::vector<Entry> entries;
  entries_of(cache, app, entries);
  std::array<LineChart, 4> out;
  build_charts(cache, app, entries, f_min, out);
  // Runs switched off in the panel's legend are left out, as on screen.
  static const char* const ids[4] = {"loss", "alpha", "cos", "path"};
  for (size_t p = 0; p < 4; ++p) {
    const plot::PlotState* st = plots_panel_state(ids[p]);
    std::vector<ChartSeries>& v = out[p].series;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const ChartSeries& se) { return st->hidden.count(se.label) > 0; }), v.end());
  }
  return out;
}

const plot::PlotState* plots_panel_state(const char* id) {
  const std::string s = id;
  return s == "loss" ? &g_loss : s == "alpha" ? &g_alpha : s == "cos" ? &g_cos : s == "path" ? &g_path : nullptr;
}

void DrawPlotsPanel(App& app) {
  layout_place(app, PanelId::Plots);
  if (!ImGui::Begin("Plots", nullptr, layout_flags(app, PanelId::Plots))) {
    ImGui::End();
    return;
  }
  layout_track(app, PanelId::Plots);
  // Runs switched off in the legend belong to one app: a new one (the tests make many in
  // one process) starts with every run shown.
  static uint64_t hidden_app = 0;
  if (hidden_app != app.instance()) {
    for (plot::PlotState* st : {&g_loss, &g_alpha, &g_cos, &g_path}) st->hidden.clear();
    hidden_app = app.instance();
  }
  Model& m = app.model();
  const Experiment& e = m.exp;
  int xa = m.plots.x_fp ? 1 : 0;
  ImGui::RadioButton("steps", &xa, 0);
  same_line_if_fits(checkbox_width("forward passes"));
  ImGui::RadioButton("forward passes", &xa, 1);
  m.plots.x_fp = xa == 1;
  same_line_if_fits(checkbox_width("log y"));
  ImGui::Checkbox("log y", &m.plots.log_y);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::SliderFloat("smoothing", &m.plots.smoothing, 0.f, 0.995f, "%.3f");
  app.note_item("plots/smoothing");
  const bool nd = e.landscape.dim > 2 || m.llm;  // language models: quantile bands like N-D
  if (!nd) {
    same_line_if_fits(checkbox_width("alpha ratio"));
    ImGui::Checkbox("alpha ratio", &m.plots.alpha_ratio);
    app.note_item("plots/alpha_ratio");
  }

  const double f_min = loss_offset(app);
  // New results are taken in at most 5 times a second while they keep coming (a slider
  // or the start dragged, N-D runs streaming): redrawing four plots' series costs a
  // software rasteriser more than the rest of the frame, and the landscape view shows
  // every update anyway. Wall-clock time: a drag's jobs may each finish within a frame
  // (busy() is false between them), and the app keeps drawing until the last is taken.
  SeriesCache& cache = g_cache;
  static double last_take = 0;
  const double now = steady_seconds();
  const bool fresh = cache.app == app.instance() && cache.runs_serial != app.results().runs_serial &&
                     (app.busy() || app.editing()) && now - last_take < 0.2;
  if (!fresh && (cache.app != app.instance() || cache.runs_serial != app.results().runs_serial || cache.x_fp != m.plots.x_fp || cache.log_y != m.plots.log_y ||
      cache.smoothing != m.plots.smoothing || cache.f_min != f_min ||
      cache.runs.size() != e.runs.size() + app.results().followed.size())) {
    rebuild(cache, app, f_min);
    ++g_cache_gen;
    last_take = now;
  }

  // Everything the series depend on; the plots' cached layers are redrawn when it changes.
  uint64_t version = 1469598103934665603ull;
  const auto mix = [&](uint64_t v) { version = (version ^ v) * 1099511628211ull; };
  mix(app.instance());
  mix(cache.runs_serial);
  mix(static_cast<uint64_t>(m.plots.smoothing * 1e6f));
  mix((m.plots.x_fp ? 1u : 0u) | (m.plots.log_y ? 2u : 0u) | (m.plots.alpha_ratio ? 4u : 0u));
  mix(static_cast<uint64_t>(e.max_steps) * 3 + static_cast<uint64_t>(e.max_fp));  // the x span before any rows
  for (const RunSpec& r : e.runs) {
    mix(r.colour);
    mix(r.visible);
    mix(std::hash<std::string>()(r.label));
  }
  for (const RunRecord& r : app.results().followed) mix(r.colour);
  // While results keep coming, one plot a frame takes the new series (in turn): the
  // others keep drawing their cached layers, so no frame pays for all four at once.
  static uint64_t plot_version[4] = {0, 0, 0, 0};
  static int next_plot = 0;
  const bool stagger = app.busy() || app.editing();
  for (int k = 0, taken = 0; k < 4; ++k) {
    const int p = (next_plot + k) % 4;
    if (plot_version[p] == version || (stagger && taken)) continue;
    plot_version[p] = version;
    taken = 1;
    next_plot = (p + 1) % 4;
  }
  const bool cursor_units = (e.max_fp > 0) == m.plots.x_fp;
  const ImU32 cursor_col = IM_COL32(255, 255, 255, 90);
  std::vector<Entry>& entries = g_entries;
  entries_of(cache, app, entries);
  draw_shared_legend(app, entries);

  // Language models: the third plot's choice.
  if (m.llm) {
    if (ImGui::RadioButton("dev metric", !g_llm_cos)) g_llm_cos = false;
    same_line_if_fits(checkbox_width("cos(update, -gradient)"));
    if (ImGui::RadioButton("cos(update, -gradient)", g_llm_cos)) g_llm_cos = true;
    app.note_item("plots/llm_cos");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("runs with \"cosine every\" > 0 (scene panel) measure it");
  }
  // The charts (copies of the series) are rebuilt when anything they show changes.
  const uint64_t charts_key = (version + g_cache_gen * 0x9e3779b97f4a7c15ull) ^ (g_llm_cos ? 0x5bd1e995ull : 0) ^ (static_cast<uint64_t>(cache.symlog) << 40) ^
                              std::hash<double>()(cache.linthresh) ^ (std::hash<double>()(f_min) << 1);
  if (charts_key != g_charts_key) {
    build_charts(cache, app, entries, f_min, g_charts);
    g_charts_key = charts_key;
  }

  for (plot::PlotState* st : {&g_loss, &g_alpha, &g_cos, &g_path}) st->legend_on_hover = true;
  // Language models get a fifth row: the per-tensor heatmap (tensor_heatmap.h), its header
  // line over it. The rows share the panel's height down to plot::begin's least height,
  // so the heatmap is on screen in the default window (at 120 px a plot it lay below).
  const int rows = m.llm ? 5 : 4;
  const float h = std::max(m.llm ? 80.f : 120.f, (ImGui::GetContentRegionAvail().y - (rows - 1) * ImGui::GetStyle().ItemSpacing.y -
                                                  (m.llm ? ImGui::GetFrameHeightWithSpacing() : 0.f)) / rows);
  plot::PlotState* states[4] = {&g_loss, &g_alpha, &g_cos, &g_path};
  static const char* const ids[4] = {"loss", "alpha", "cos", "path"};
  for (int p = 0; p < 4; ++p) {
    const LineChart& c = g_charts[static_cast<size_t>(p)];
    configure(*states[p], c);
    if (plot::begin(ids[p], *states[p], ImVec2(0, h), c.title.c_str(), c.xlabel.c_str(), c.x_log, c.y_log, plot_version[p])) {
      draw_chart(c);
      if (cursor_units) plot::vline(m.play.cursor, cursor_col);
      plot::end();
    }
    app.note_item(std::string("plots/") + ids[p]);
  }
  if (m.llm) draw_tensor_heatmap(app, h);
  ImGui::End();
}

}  // namespace zs::gui
