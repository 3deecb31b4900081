// 2-D landscape view: the GPU heatmap (a cached texture, see heatmap_layer) under the
// vector overlay; drag the start marker, pan, zoom.
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include "app/gui/app.h"
#include "app/gui/imgui_canvas.h"
#include "app/gui/panels.h"
#include "core/util/error.h"

namespace zs::gui {

namespace {

constexpr uint32_t kViewBackground = 0x22262d;

// The heatmap is rendered into a texture only when what it shows changes (grid, extent,
// size, colours): its fragment shader is the costliest per pixel on a software rasteriser,
// and during playback only the trajectories above it move.
void heatmap_layer(App& app, const ViewXform& xf) {
  const ImVec2 sc = ImGui::GetIO().DisplayFramebufferScale;
  const int w = std::max(1, static_cast<int>((xf.p1.x - xf.p0.x) * sc.x));
  const int h = std::max(1, static_cast<int>((xf.p1.y - xf.p0.y) * sc.y));
  const Results& r = app.results();
  const Experiment& e = app.exp();
  uint64_t key = 1469598103934665603ull;
  const auto mix = [&](uint64_t v) { key = (key ^ v) * 1099511628211ull; };
  const auto mixd = [&](double v) {
    uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    mix(b);
  };
  mix(r.grid_serial);
  mix(static_cast<uint64_t>(w) << 32 | static_cast<uint64_t>(h));
  for (double v : {xf.x0, xf.x1, xf.y0, xf.y1, r.scale.lo, r.scale.hi}) mixd(v);
  mix(std::hash<std::string>()(e.view.colormap));
  mix(static_cast<uint64_t>(e.view.contours));
  GlTarget& t = app.heatmap_target();
  if (key != app.heatmap_key() || t.width() != w || t.height() != h) {
    t.resize(w, h);
    GLint prev = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev);
    t.bind();
    glDisable(GL_SCISSOR_TEST);
    const int vp[4] = {0, 0, w, h};
    const double ext[4] = {xf.x0, xf.x1, xf.y0, xf.y1};
    app.heatmap().draw(app.textures(), r.scale, vp, ext, e.view.contours, 1.1f, kViewBackground);
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev));
    app.set_heatmap_key(key);
  }
}

// Heatmap plus paths, as a second layer. While the playback cursor only advances, just the
// new pieces of each path are drawn over what the layer holds, so playback costs a few
// segments a frame; anything else (results, colours, visibility, a new heatmap, the
// cursor going back) redraws every path from the start. The paths are the figure's
// (core's pieces and strokes, figure_draw_path), drawn in pieces.
void paths_layer(App& app, const ViewXform& xf, const LandscapeFigure& lf, ImVec2 origin) {
  const Experiment& e = app.exp();
  uint64_t key = app.heatmap_key();
  const auto mix = [&](uint64_t v) { key = (key ^ v) * 1099511628211ull; };
  mix(app.instance());
  mix(app.results().runs_serial);
  for (const RunSpec& r : e.runs) mix(static_cast<uint64_t>(r.colour) << 1 | (r.visible ? 1 : 0));
  std::vector<int> rows;
  for (int i = 0; i < static_cast<int>(e.runs.size()); ++i) rows.push_back(app.record(i) ? app.cursor_row(i) : -1);
  GlTarget& t = app.paths_target();
  PathState& drawn = app.paths_drawn();
  const GlTarget& heat = app.heatmap_target();
  bool full = key != app.paths_key() || t.width() != heat.width() || t.height() != heat.height() ||
              drawn.rows.size() != rows.size();
  for (size_t i = 0; i < rows.size() && !full; ++i) full = rows[i] < drawn.rows[i];
  if (full) {
    t.resize(heat.width(), heat.height());
    gl_copy(heat, t);
    drawn = PathState();
    app.paths_key() = key;
  }
  bool more = drawn.rows.size() != rows.size();
  for (size_t i = 0; i < rows.size() && !more; ++i) more = rows[i] > drawn.rows[i];
  if (!more) return;
  ImDrawList& dl = app.layer_list();
  dl.PushClipRect(xf.p0, xf.p1);
  ImGuiCanvas cv(&dl, origin);
  draw_figure_paths(cv, lf, drawn, rows);
  app.render_draw_list(t, dl, xf.p0, ImVec2(xf.p1.x - xf.p0.x, xf.p1.y - xf.p0.y), false);
}

// The domain the view fits, made explicit so pan and zoom can edit it.
double* explicit_domain(App& app) {
  double* d = app.exp().view.domain;
  if (d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0) std::copy(app.scene()->domain, app.scene()->domain + 4, d);
  return d;
}

void interact(App& app, const ViewXform& xf) {
  Model& m = app.model();
  Experiment& e = m.exp;
  const Scene& s = *app.scene();
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  // The start is draggable where the view's axes are coordinates of x (not a plane
  // through the start, which would move with it).
  const bool draggable = s.proj.kind != Projection::Plane;
  const Eigen::Vector2d sp = s.proj.project(s.start);
  if (ImGui::IsItemActivated() && io.MouseDown[0]) {
    const ImVec2 p = xf.to_screen(sp[0], sp[1]);
    const float dx = io.MousePos.x - p.x, dy = io.MousePos.y - p.y;
    m.vi.dragging_start = draggable && dx * dx + dy * dy <= 12.f * 12.f;
    xf.to_world(io.MousePos, m.vi.press_x, m.vi.press_y);
    m.vi.start0.assign(s.start.data(), s.start.data() + s.start.size());
  }
  if (!active) m.vi.dragging_start = false;
  if (active && m.vi.dragging_start) {
    double wx, wy;
    xf.to_world(io.MousePos, wx, wy);
    std::vector<double> st = m.vi.start0;
    const int i0 = s.proj.kind == Projection::Coords ? s.proj.c0 : 0;
    const int i1 = s.proj.kind == Projection::Coords ? s.proj.c1 : 1;
    st[static_cast<size_t>(i0)] += wx - m.vi.press_x;
    st[static_cast<size_t>(i1)] += wy - m.vi.press_y;
    e.start = st;
  } else if (active && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0) &&
             (io.MouseDown[0] || io.MouseDown[1] || io.MouseDown[2])) {
    double* d = explicit_domain(app);
    const double k = 1 / xf.px_per_unit();
    d[0] -= io.MouseDelta.x * k;
    d[1] -= io.MouseDelta.x * k;
    d[2] += io.MouseDelta.y * k;
    d[3] += io.MouseDelta.y * k;
  }
  if (hovered && io.MouseWheel != 0) {
    double wx, wy;
    xf.to_world(io.MousePos, wx, wy);
    const double f = std::pow(0.87, io.MouseWheel);
    double* d = explicit_domain(app);
    d[0] = wx + (d[0] - wx) * f;
    d[1] = wx + (d[1] - wx) * f;
    d[2] = wy + (d[2] - wy) * f;
    d[3] = wy + (d[3] - wy) * f;
  }
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && !m.vi.dragging_start)
    for (double& v : e.view.domain) v = 0;
}

// The hover read-out, bottom left of the plot, or bottom right when the legend sits there.
std::string g_readout;  // the last frame's read-out ("" when none was shown)

void hover_readout(App& app, const ViewXform& xf, const LandscapeFigure& lf, ImVec2 origin) {
  const ImGuiIO& io = ImGui::GetIO();
  g_readout.clear();
  // Without a grid the view is a placeholder (no plane yet, a model loading): no values to
  // read (a language model's scene read "loss = 0" there).
  if (!app.results().grid || !ImGui::IsItemHovered() || !xf.contains(io.MousePos)) return;
  const Scene& s = *app.scene();
  double wx, wy;
  xf.to_world(io.MousePos, wx, wy);
  Eigen::VectorXd x = s.start;
  s.proj.lift(wx, wy, x);
  const double f = s.landscape->value(x.data());
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%.4g, %.4g)  %s = %.5g", wx, wy, app.llm_mode() ? "loss" : "f", f);  // as the colour bar
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 ts = ImGui::CalcTextSize(buf);
  ImVec2 p(xf.p0.x + 6, xf.p1.y - ts.y - 6);
  const fig::Box& lb = lf.plan.legend_box;
  const float lx0 = origin.x + static_cast<float>(lb.x), ly1 = origin.y + static_cast<float>(lb.b());
  if (lb.w > 0 && lx0 < p.x + ts.x + 4 && ly1 > p.y - 2) p.x = xf.p1.x - ts.x - 6;
  dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + ts.x + 4, p.y + ts.y + 2), IM_COL32(10, 12, 16, 190), 3);
  dl->AddText(p, IM_COL32(230, 232, 238, 255), buf);
  g_readout = buf;
}

// Hovering the legend explains its "0P, 2 FP/step" notation (when it shows it).
void legend_tooltip(const App& app, const LandscapeFigure& lf, ImVec2 origin) {
  const fig::Box& lb = lf.plan.legend_box;
  const auto& entries = lf.plan.legend.entries;
  if (lb.w <= 0 || std::none_of(entries.begin(), entries.end(), [](const fig::LegendEntry& e) { return !e.extra.empty(); }))
    return;
  const ImVec2 a(origin.x + static_cast<float>(lb.x), origin.y + static_cast<float>(lb.y));
  if (ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, ImVec2(a.x + static_cast<float>(lb.w), a.y + static_cast<float>(lb.h))))
    ImGui::SetTooltip("%s", legend_notation_help(app).c_str());
}

// A note at the bottom of the plot, above the hover read-out, left or right of the legend:
// that the plane is drawn in one colour because its loss is; the scene panel says why.
void plane_note(const std::string& full, const ViewXform& xf, const LandscapeFigure& lf, ImVec2 origin) {
  if (full.empty()) return;
  const size_t dot = full.find(". ");
  const std::string note = dot == std::string::npos ? full : full.substr(0, dot + 1) + " Why: scene panel.";
  const float fs = ImGui::GetFontSize(), wrap = std::min(xf.p1.x - xf.p0.x - 16, fs * 16);
  const ImVec2 ts = ImGui::CalcTextSize(note.c_str(), nullptr, false, wrap);
  ImVec2 p(xf.p0.x + 8, xf.p1.y - ts.y - 2.2f * fs - 6);
  const fig::Box& lb = lf.plan.legend_box;
  const float lx0 = origin.x + static_cast<float>(lb.x), ly1 = origin.y + static_cast<float>(lb.b());
  if (lb.w > 0 && lx0 < p.x + ts.x + 4 && ly1 > p.y - 3) p.x = xf.p1.x - ts.x - 8;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(p.x - 4, p.y - 3), ImVec2(p.x + ts.x + 4, p.y + ts.y + 3), IM_COL32(10, 12, 16, 215), 3);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, IM_COL32(242, 192, 90, 255), note.c_str(), nullptr, wrap);
}

// Hovering a language model's colour bar says what the plane's loss is measured on (fixed
// training examples), which is why it differs from the curves' per-minibatch loss.
void colour_bar_tooltip(App& app, const LandscapeFigure& lf, ImVec2 origin) {
  if (!app.llm_mode() || !app.llm()) return;
  const std::string what = app.llm()->plane_measure();
  const fig::Box& cb = lf.plan.lay.cbar;
  if (what.empty() || cb.w <= 0) return;
  // The bar, its tick labels and caption: from the bar's left edge to the figure's right.
  const ImVec2 a(origin.x + static_cast<float>(cb.x), origin.y + static_cast<float>(cb.y) - ImGui::GetFontSize() * 1.5f);
  const ImVec2 b(origin.x + static_cast<float>(lf.plan.lay.W), origin.y + static_cast<float>(cb.b()));
  if (ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, b)) ImGui::SetTooltip("%s", what.c_str());
}

}  // namespace

const std::string& view_hover_readout() { return g_readout; }

void DrawLandscapeView(App& app) {
  const Scene* s = app.scene();
  if (!s) {
    ImGui::TextDisabled("no landscape");
    return;
  }
  // Core's figure layout at the view's size: plot, domain, ticks, colour bar, legend.
  const ImVec2 r0 = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
  const int W = static_cast<int>(std::max(avail.x, 64.f)), H = static_cast<int>(std::max(avail.y, 64.f));
  LandscapeFigure& lf = app.view_figure();
  try {
    if (!landscape_figure(app, W, H, true, lf)) return;
  } catch (const std::exception& err) {
    ImGui::TextDisabled("%s", error_line(err).c_str());
    return;
  }
  const ViewXform xf = figure_xform(lf.plan, r0);
  const ImVec2 p0 = xf.p0, p1 = xf.p1;
  app.view_xform() = xf;
  const double extent[4] = {xf.x0, xf.x1, xf.y0, xf.y1};
  app.request_grid(extent);

  ImGui::SetCursorScreenPos(p0);
  ImGui::InvisibleButton("##landscape", ImVec2(p1.x - p0.x, p1.y - p0.y),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  app.note_item("view/landscape");
  interact(app, xf);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (app.results().grid) {
    heatmap_layer(app, xf);
    paths_layer(app, xf, lf, r0);
    draw_target_blit(dl, app.paths_target(), p0, p1);
    draw_followed_paths(dl, app, xf, 1);
  }
  else dl->AddRectFilled(p0, p1, rgb_u32(kViewBackground));
  ImGuiCanvas cv(dl, r0);
  draw_landscape_figure(cv, lf);
  // Hovering a run's marker at the cursor shows that step's internals.
  if (ImGui::IsItemHovered() && !app.model().vi.dragging_start)
    draw_step_internals(dl, app, xf, run_at_marker(app, xf, ImGui::GetIO().MousePos, 12));
  hover_readout(app, xf, lf, r0);
  legend_tooltip(app, lf, r0);
  colour_bar_tooltip(app, lf, r0);
  if (app.llm_mode() && app.llm()) plane_note(app.llm()->plane_note(), xf, lf, r0);
}

}  // namespace zs::gui
