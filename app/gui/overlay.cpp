// The app's landscape figure: core's layout drawn on an ImDrawList (see overlay.h).
//
// [SECTION] index: figure | paths | step internals
#include "app/gui/overlay.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>
#include "app/gui/app.h"
#include "app/gui/imgui_canvas.h"
#include "core/export/decimate.h"
#include "core/run/runner.h"

namespace zs::gui {

ImU32 rgb_u32(uint32_t rgb, float alpha) {
  return IM_COL32((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, static_cast<int>(std::clamp(alpha, 0.f, 1.f) * 255.f));
}

namespace {
std::vector<std::string>& drawn_colourbar_ticks() {
  static std::vector<std::string> v;
  return v;
}
std::string& drawn_colourbar_caption() {
  static std::string c;
  return c;
}
}  // namespace

const std::vector<std::string>& landscape_colourbar_labels() { return drawn_colourbar_ticks(); }
const std::string& landscape_colourbar_caption() { return drawn_colourbar_caption(); }

ImVec2 ViewXform::to_screen(double x, double y) const {
  const double u = p0.x + (x - x0) / (x1 - x0) * (p1.x - p0.x);
  const double v = p1.y - (y - y0) / (y1 - y0) * (p1.y - p0.y);
  // Far-away points (diverging runs) are clamped so float vertex maths stays finite.
  return ImVec2(static_cast<float>(std::clamp(u, -1e6, 1e6)), static_cast<float>(std::clamp(v, -1e6, 1e6)));
}

void ViewXform::to_world(ImVec2 p, double& x, double& y) const {
  x = x0 + (p.x - p0.x) / static_cast<double>(p1.x - p0.x) * (x1 - x0);
  y = y0 + (p1.y - p.y) / static_cast<double>(p1.y - p0.y) * (y1 - y0);
}

// [SECTION] figure

bool landscape_figure(const App& app, int w, int h, bool view, LandscapeFigure& out) {
  const Scene* scene = app.scene();
  if (!scene) return false;
  const Experiment& e = app.exp();
  std::vector<int> rows(e.runs.size(), -1);
  out.run_index.clear();
  for (int i = 0; i < static_cast<int>(e.runs.size()); ++i) {
    rows[static_cast<size_t>(i)] = app.cursor_row(i);
    if (e.runs[static_cast<size_t>(i)].visible && rows[static_cast<size_t>(i)] >= 0) out.run_index.push_back(i);
  }
  out.fig = figure_frame(e, *scene, app.results().runs, rows, true);
  if (app.llm_mode() && app.llm()) app.llm()->label_figure(out.fig);  // the loss plane's axes, not "x" / "y"
  if (app.results().grid) {
    out.fig.fixed_scale = true;
    out.fig.scale = app.results().scale;
  }
  const double export_scale = view ? 1 : export_style_scale(app, w, h);
  // While the start is dragged or sliders edit the runs, the view's legend keeps its place:
  // the paths move, and a legend moving with them would move the plot under the mouse.
  const bool keep_legend = view && (app.editing() || app.model().vi.dragging_start) && out.plan.lay.W == w && out.plan.lay.H == h;
  const LegendAt kept = out.plan.legend_at;
  out.opt = FigureOptions();
  if (keep_legend) out.opt.legend_at = kept;
  // A language model's plane is a grid of fixed extent: the plot keeps its aspect instead of
  // widening the domain into empty bands beyond the grid.
  out.opt.fill = !app.llm_mode();
  out.opt.style_scale = export_scale;
  out.opt.legend = app.model().ui.show_legend || !view;
  if (view) {
    out.opt.dark = true;
    out.opt.style_scale = 1;
    out.opt.trajectories = false;  // the view strokes them into its cached layer
  }
  if (!view || !out.opt.fill) {
    out.plan = figure_plan(out.fig, w, h, out.opt);
    return true;
  }
  char key[512];
  const ColourScale& sc = out.fig.scale;
  std::snprintf(key, sizeof key, "%d %d %.17g %.17g %.17g %.17g %d %.17g %.17g %d %.17g %d %llu %llu %zu", w, h, out.fig.domain[0],
                out.fig.domain[1], out.fig.domain[2], out.fig.domain[3], out.fig.fixed_scale, sc.lo, sc.hi, sc.log, sc.shift,
                out.opt.legend, static_cast<unsigned long long>(app.results().runs_serial),
                static_cast<unsigned long long>(app.instance()), out.fig.runs.size());
  std::string k = key;
  for (const FigureRun& r : out.fig.runs) k.append(r.label).append(std::to_string(r.rgb)).push_back('|');
  if (k == out.fill_key) {
    std::copy(out.plan.domain.begin(), out.plan.domain.end(), out.fig.domain);
    out.opt.fill = false;
    const LegendAt asked = out.opt.legend_at;
    out.opt.legend_at = out.plan.legend_at;  // where the legend was when the domain was filled
    out.plan = figure_plan(out.fig, w, h, out.opt);
    out.opt.fill = true;
    out.opt.legend_at = asked;
  } else {
    out.plan = figure_plan(out.fig, w, h, out.opt);
    out.fill_key = std::move(k);
  }
  return true;
}

double export_style_scale(const App& app, int w, int h) {
  const fig::Layout& v = app.view_figure().plan.lay;
  if (v.W <= 0 || v.H <= 0) return 0;
  const double own = std::min(w / 800.0, h / 600.0);
  return std::clamp(std::min(static_cast<double>(w) / v.W, static_cast<double>(h) / v.H), own / 4, own * 4);
}

ViewXform figure_xform(const FigurePlan& pl, ImVec2 origin) {
  ViewXform xf;
  const fig::Box& b = pl.lay.plot;
  xf.p0 = ImVec2(origin.x + static_cast<float>(b.x), origin.y + static_cast<float>(b.y));
  xf.p1 = ImVec2(origin.x + static_cast<float>(b.r()), origin.y + static_cast<float>(b.b()));
  xf.x0 = pl.domain[0];
  xf.x1 = pl.domain[1];
  xf.y0 = pl.domain[2];
  xf.y1 = pl.domain[3];
  return xf;
}

void draw_landscape_figure(Canvas& c, const LandscapeFigure& lf) {
  figure_draw(c, lf.fig, lf.plan, lf.opt);
  std::vector<std::string>& drawn = drawn_colourbar_ticks();
  drawn.clear();
  for (const fig::ColourTick& t : lf.plan.lay.cticks)
    if (!t.label.empty()) drawn.push_back(t.label);
  drawn_colourbar_caption() = lf.plan.lay.ccaption;
}

// [SECTION] paths

void draw_followed_paths(ImDrawList* dl, const App& app, const ViewXform& xf, float s) {
  ImGuiCanvas cv(dl, ImVec2(0, 0));
  cv.push_clip(xf.p0.x, xf.p0.y, xf.p1.x - xf.p0.x, xf.p1.y - xf.p0.y);
  for (const RunRecord& rec : app.results().followed) {
    std::vector<Polyline> pieces(1);
    for (const StepRow& row : rec.rows) {
      if (!std::isfinite(row.x) || !std::isfinite(row.y)) {
        if (!pieces.back().empty()) pieces.emplace_back();
        continue;
      }
      const ImVec2 p = xf.to_screen(row.x, row.y);
      pieces.back().push_back({p.x, p.y});
    }
    for (Polyline& pl : pieces) decimate_polyline(pl, 0.5 * s);
    cv.trajectory(pieces, 3.5 * s, 0x000000, 90 / 255.0);
    cv.trajectory(pieces, 1.5 * s, rec.colour, 0.9);
    // The newest point: a ring (a followed run has no playback marker of its own).
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it)
      if (!it->empty()) {
        const auto& e = it->back();
        cv.circle(e[0], e[1], 4.5 * s, 0, 0x000000, 120 / 255.0);
        cv.circle(e[0], e[1], 4.5 * s, 2.0 * s, rec.colour, 0.9);
        break;
      }
  }
  cv.pop_clip();
}

void draw_figure_paths(Canvas& c, const LandscapeFigure& lf, PathState& state, const std::vector<int>& to_rows) {
  const size_t n = to_rows.size();
  state.rows.resize(n, -1);
  for (size_t j = 0; j < lf.run_index.size(); ++j) {
    const size_t i = static_cast<size_t>(lf.run_index[j]);
    if (i >= n || to_rows[i] <= state.rows[i]) continue;
    // From the last row drawn, so the new piece joins the old one.
    const size_t from = static_cast<size_t>(std::max(state.rows[i], 0));
    figure_draw_path(c, lf.plan, lf.fig, j, figure_run_pieces(lf.plan, lf.fig.runs[j], from, static_cast<size_t>(to_rows[i])));
    state.rows[i] = to_rows[i];
  }
}

// [SECTION] step internals

bool step_internals(const App& app, int run, StepInternals& out) {
  const Scene* sc = app.scene();
  const RunRecord* rec = app.record(run);
  const int k = app.cursor_row(run);
  if (!sc || !rec || k < 1 || sc->landscape->dim() != 2) return false;
  const StepRow& prev = rec->rows[static_cast<size_t>(k - 1)];
  const StepRow& row = rec->rows[static_cast<size_t>(k)];
  if (!std::isfinite(prev.x) || !std::isfinite(row.x)) return false;
  out = StepInternals();
  out.run = run;
  out.row = k;
  out.at[0] = prev.x;
  out.at[1] = prev.y;
  out.update[0] = row.x - prev.x;
  out.update[1] = row.y - prev.y;
  sc->landscape->gradient(out.at, out.grad);
  const auto eps_it = rec->hp.find("eps");
  // Methods that probe theta +- eps z with plain directions z (HiZOO scales z by its
  // Hessian estimate, AdaNAGED and R-AdaZO probe otherwise: no estimate is rebuilt).
  const std::string& id = rec->optimizer;
  const bool plain = id == "mezo" || id.rfind("zo_sgd", 0) == 0 || id.rfind("zo_adam", 0) == 0 || id == "adamezo";
  if (plain && std::isfinite(row.probe_plus_x) && std::isfinite(row.probe_minus_x) && eps_it != rec->hp.end() && eps_it->second > 0) {
    // Two-sided probes theta +- eps z: z and the directional difference give the estimate.
    const double eps = eps_it->second;
    const double pp[2] = {row.probe_plus_x, row.probe_plus_y}, pm[2] = {row.probe_minus_x, row.probe_minus_y};
    const double proj = (sc->landscape->value(pp) - sc->landscape->value(pm)) / (2 * eps);
    out.zo[0] = proj * (pp[0] - pm[0]) / (2 * eps);
    out.zo[1] = proj * (pp[1] - pm[1]) / (2 * eps);
    out.has_zo = std::isfinite(out.zo[0]) && std::isfinite(out.zo[1]);
  }
  out.alpha[0] = row.alpha_x;
  out.alpha[1] = row.alpha_y;
  out.adaptive = std::isfinite(row.alpha_x) && std::isfinite(row.alpha_y) && row.alpha_x > 0 && row.alpha_y > 0 &&
                 std::fabs(row.alpha_x - row.alpha_y) > 1e-9 * std::max(row.alpha_x, row.alpha_y);
  return true;
}

int run_at_marker(const App& app, const ViewXform& xf, ImVec2 mouse, float radius) {
  int best = -1;
  float best_d = radius;
  for (int i = 0; i < static_cast<int>(app.exp().runs.size()); ++i) {
    const RunRecord* rec = app.record(i);
    if (!rec || !app.exp().runs[static_cast<size_t>(i)].visible) continue;
    const StepRow& row = rec->rows[static_cast<size_t>(std::max(0, app.cursor_row(i)))];
    if (!std::isfinite(row.x) || !std::isfinite(row.y)) continue;
    const ImVec2 p = xf.to_screen(row.x, row.y);
    const float d = std::hypot(p.x - mouse.x, p.y - mouse.y);
    if (d <= best_d) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

namespace {
void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float w) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
  if (!(len > 1)) return;
  const float ux = dx / len, uy = dy / len, h = std::min(9.f, 0.4f * len);
  const ImVec2 base(b.x - ux * h, b.y - uy * h);
  dl->AddLine(a, base, col, w);
  dl->AddTriangleFilled(b, ImVec2(base.x - uy * h * 0.5f, base.y + ux * h * 0.5f), ImVec2(base.x + uy * h * 0.5f, base.y - ux * h * 0.5f), col);
}
}  // namespace

void draw_step_internals(ImDrawList* dl, const App& app, const ViewXform& xf, int run) {
  StepInternals in;
  if (run < 0 || !step_internals(app, run, in)) return;
  const RunSpec& spec = app.exp().runs[static_cast<size_t>(run)];
  const ImVec2 c = xf.to_screen(in.at[0], in.at[1]);
  const double ppu = xf.px_per_unit();
  // Screen vectors (y up in the world, down on screen).
  const auto scr = [&](const double v[2], double k) { return ImVec2(c.x + static_cast<float>(v[0] * k * ppu), c.y - static_cast<float>(v[1] * k * ppu)); };
  dl->PushClipRect(xf.p0, xf.p1, true);
  // The per-dimension step sizes: an ellipse with semi-axes in their ratio, 36 px at most.
  if (in.adaptive) {
    const double amax = std::max(in.alpha[0], in.alpha[1]);
    const float rx = static_cast<float>(36 * in.alpha[0] / amax), ry = static_cast<float>(36 * in.alpha[1] / amax);
    std::vector<ImVec2> e;
    for (int t = 0; t < 48; ++t) {
      const float a = 6.2831853f * static_cast<float>(t) / 48;
      e.emplace_back(c.x + std::max(rx, 1.f) * std::cos(a), c.y + std::max(ry, 1.f) * std::sin(a));
    }
    dl->AddConvexPolyFilled(e.data(), static_cast<int>(e.size()), rgb_u32(spec.colour, 0.18f));
    dl->AddPolyline(e.data(), static_cast<int>(e.size()), rgb_u32(spec.colour, 0.9f), ImDrawFlags_Closed, 1.5f);
  }
  // -gradient and -ZO estimate on one scale: the longer is 70 px.
  const double ng = std::hypot(in.grad[0], in.grad[1]), nz = in.has_zo ? std::hypot(in.zo[0], in.zo[1]) : 0;
  const double gk = std::max(ng, nz) > 0 ? 70 / (std::max(ng, nz) * ppu) : 0;
  const double mg[2] = {-in.grad[0], -in.grad[1]}, mz[2] = {-in.zo[0], -in.zo[1]};
  arrow(dl, c, scr(mg, gk), IM_COL32(255, 255, 255, 230), 2.f);
  if (in.has_zo) arrow(dl, c, scr(mz, gk), IM_COL32(255, 120, 200, 230), 2.f);
  // The update, magnified 10^n until it is 40 px long.
  const float k = probe_magnification(static_cast<float>(std::hypot(in.update[0], in.update[1]) * ppu), 40);
  arrow(dl, c, scr(in.update, k), rgb_u32(spec.colour), 3.f);
  dl->PopClipRect();
  char buf[256];
  const double cosv = ng > 0 ? -(in.update[0] * in.grad[0] + in.update[1] * in.grad[1]) / (std::hypot(in.update[0], in.update[1]) * ng) : NAN;
  int n = std::snprintf(buf, sizeof buf, "%s, step %d: update%s (colour), -gradient (white)", spec.label.c_str(), in.row,
                        k > 1 ? (" x " + std::to_string(static_cast<long long>(k))).c_str() : "");
  if (in.has_zo && n > 0) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ", -ZO estimate (pink, |est| / |grad| = %.3g)", ng > 0 ? nz / ng : NAN);
  if (n > 0) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "; cos(update, -grad) = %.3f", cosv);
  if (in.adaptive && n > 0) std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "; step sizes alpha_x / alpha_y = %.3g (ellipse)", in.alpha[0] / in.alpha[1]);
  // Bottom left, above the hover read-out (the legend takes a top corner).
  const ImVec2 ts = ImGui::CalcTextSize(buf, nullptr, false, xf.p1.x - xf.p0.x - 16);
  const ImVec2 p(xf.p0.x + 6, xf.p1.y - ts.y - 2.2f * ImGui::GetFontSize() - 6);
  dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + ts.x + 4, p.y + ts.y + 2), IM_COL32(10, 12, 16, 210), 3);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, IM_COL32(235, 236, 240, 255), buf, nullptr, xf.p1.x - xf.p0.x - 16);
}


}  // namespace zs::gui
