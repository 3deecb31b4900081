// 3-D surface view: the loss surface (mesh displaced by the grid texture) with depth
// buffer and lighting, trajectories lifted onto it, rendered into its own target and
// shown as an image. Drag to orbit, wheel to zoom, double-click to reset the camera.
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include "app/gui/app.h"
#include "app/gui/llm_scene.h"
#include "app/gui/panels.h"
#include "core/export/ticks.h"

namespace zs::gui {

namespace {

constexpr uint32_t kSurfaceBackground = 0x1b1e24;
constexpr int kMaxPathPoints = 4000;  // per run: paths are decimated by index beyond this

std::vector<Path3D> build_paths(const App& app) {
  std::vector<Path3D> paths;
  const Experiment& e = app.exp();
  const Scene* s = app.scene();
  Path3D ends, diverged;
  ends.points = true;
  ends.width_px = 11;
  ends.ring_rgb = 0xffffff;
  for (int i = 0; i < static_cast<int>(e.runs.size()); ++i) {
    const RunSpec& spec = e.runs[static_cast<size_t>(i)];
    const RunRecord* rec = app.record(i);
    if (!spec.visible || !rec) continue;
    const int k = app.cursor_row(i);
    const int stride = std::max(1, (k + 1) / kMaxPathPoints);
    Path3D p;
    p.rgb = spec.colour;
    p.width_px = 2.5f;
    for (int r = 0; r <= k; r += stride) {
      const StepRow& row = rec->rows[static_cast<size_t>(r)];
      if (!std::isfinite(row.x) || !std::isfinite(row.y)) break;
      p.xy.push_back(static_cast<float>(row.x));
      p.xy.push_back(static_cast<float>(row.y));
    }
    const StepRow& last = rec->rows[static_cast<size_t>(k)];
    if (std::isfinite(last.x) && std::isfinite(last.y)) {
      p.xy.push_back(static_cast<float>(last.x));
      p.xy.push_back(static_cast<float>(last.y));
      Path3D end;
      end.points = true;
      end.width_px = 11;
      end.rgb = spec.colour;
      end.ring_rgb = 0xffffff;
      end.xy = {static_cast<float>(last.x), static_cast<float>(last.y)};
      paths.push_back(std::move(end));
    }
    paths.insert(paths.begin(), std::move(p));  // lines first, markers on top
  }
  // Followed runs (follow_run.h) where they have plane points: thinner, a ring at the newest.
  for (const RunRecord& rec : app.results().followed) {
    const int n = static_cast<int>(rec.rows.size());
    const int stride = std::max(1, n / kMaxPathPoints);
    Path3D p;
    p.rgb = rec.colour;
    p.width_px = 1.8f;
    int last = -1;  // the last row with a point (the replay may lag behind the log)
    for (int r = 0; r < n && std::isfinite(rec.rows[static_cast<size_t>(r)].x); ++r) last = r;
    for (int r = 0; r <= last; r = r < last && r + stride > last ? last : r + stride) {
      p.xy.push_back(static_cast<float>(rec.rows[static_cast<size_t>(r)].x));
      p.xy.push_back(static_cast<float>(rec.rows[static_cast<size_t>(r)].y));
    }
    if (p.xy.size() < 4) continue;
    Path3D end;
    end.points = true;
    end.width_px = 9;
    end.rgb = 0x141414;
    end.ring_rgb = rec.colour;
    end.xy = {p.xy[p.xy.size() - 2], p.xy.back()};
    paths.insert(paths.begin(), std::move(p));
    paths.push_back(std::move(end));
  }
  if (s) {
    Path3D start;
    start.points = true;
    start.width_px = 13;
    start.rgb = 0xffffff;
    start.ring_rgb = 0x141414;
    const Eigen::Vector2d sp = s->proj.project(s->start);
    start.xy = {static_cast<float>(sp[0]), static_cast<float>(sp[1])};
    paths.push_back(std::move(start));
    Path3D minima;
    minima.points = true;
    minima.width_px = 10;
    minima.rgb = 0xffffff;
    minima.ring_rgb = 0x000000;
    const LandscapeInfo& info = s->landscape->info();
    for (const auto& m : info.minima) {
      if (static_cast<int>(m.size()) != s->landscape->dim()) continue;
      const Eigen::Vector2d q = s->proj.project(Eigen::Map<const Eigen::VectorXd>(m.data(), static_cast<Eigen::Index>(m.size())));
      minima.xy.push_back(static_cast<float>(q[0]));
      minima.xy.push_back(static_cast<float>(q[1]));
    }
    paths.push_back(std::move(minima));
  }
  return paths;
}

// The names of the surface's axes: "x", "y", "f" on a landscape; on a language model's loss
// plane the plane's directions and "loss", as its 2-D view and figure name them.
Figure surface_names(const App& app) {
  Figure f;
  f.xlabel = "x", f.ylabel = "y", f.colour_label = "f";
  if (app.llm_mode() && app.llm()) app.llm()->label_figure(f);
  return f;
}

// Colour bar (right edge: the colormap over the grid's colour scale, ends and middle
// labelled) and the runs' legend (top right, left of the bar) over the 3-D image.
void surface_markup(ImDrawList* dl, const App& app, ImVec2 r0, ImVec2 r1) {
  const float fs = ImGui::GetFontSize();
  const ColourScale& sc = app.results().scale;
  const std::string& cmap = app.exp().view.colormap;
  const float bw = fs * 0.8f, bx1 = r1.x - fs * 4.8f, bx0 = bx1 - bw, by0 = r0.y + fs * 2.2f, by1 = r1.y - fs * 1.2f;
  if (app.results().grid && colormap_known(cmap) && by1 - by0 > 3 * fs) {
    const int n = 64;
    for (int k = 0; k < n; ++k) {
      const float y0 = by1 - (by1 - by0) * static_cast<float>(k + 1) / n, y1 = by1 - (by1 - by0) * static_cast<float>(k) / n;
      dl->AddRectFilled(ImVec2(bx0, y0), ImVec2(bx1, y1 + 0.5f), rgb_u32(colormap_rgb(cmap, (k + 0.5) / n)));
    }
    dl->AddRect(ImVec2(bx0, by0), ImVec2(bx1, by1), IM_COL32(200, 205, 215, 160));
    for (double t : {0.0, 0.5, 1.0}) {
      char b[32];
      std::snprintf(b, sizeof b, "%.3g", sc.value_at(t));
      const float y = by1 - (by1 - by0) * static_cast<float>(t);
      dl->AddText(ImVec2(bx1 + fs * 0.3f, y - fs * 0.5f), IM_COL32(200, 205, 215, 230), b);
    }
    dl->AddText(ImVec2(bx0, by0 - fs * 1.3f), IM_COL32(200, 205, 215, 230), surface_names(app).colour_label.c_str());
  }
  if (!app.model().ui.show_legend) return;
  const Experiment& e = app.exp();
  float w = 0;
  int rows = 0;
  for (const RunSpec& r : e.runs)
    if (r.visible) {
      w = std::max(w, ImGui::CalcTextSize(r.label.c_str()).x);
      ++rows;
    }
  const float lh = fs * 1.2f, sw = fs * 1.1f, pad = fs * 0.35f;
  const ImVec2 b1(bx0 - fs * 1.2f, r0.y + fs * 0.4f + lh * static_cast<float>(rows) + 2 * pad);
  const ImVec2 b0(b1.x - w - sw - 3 * pad, r0.y + fs * 0.4f);
  if (rows == 0 || b0.x < r0.x + fs * 20 || b1.y > r1.y - fs) return;  // no room: the Plots panel lists the runs
  dl->AddRectFilled(b0, b1, IM_COL32(14, 16, 20, 190), 3);
  float y = b0.y + pad;
  for (const RunSpec& r : e.runs) {
    if (!r.visible) continue;
    dl->AddLine(ImVec2(b0.x + pad, y + lh / 2), ImVec2(b0.x + pad + sw, y + lh / 2), rgb_u32(r.colour), 2.5f);
    dl->AddText(ImVec2(b0.x + 2 * pad + sw, y + (lh - fs) / 2), IM_COL32(225, 228, 235, 255), r.label.c_str());
    y += lh;
  }
}

std::vector<SurfaceAxisTick>& axis_ticks() {
  static std::vector<SurfaceAxisTick> t;
  return t;
}

std::string& axis_caption() {
  static std::string c;
  return c;
}

// Axes on the surface's base box: x and y along the two base edges nearest the viewer
// (nice ticks, ticks.h), f on the vertical edge at the left-most base corner (the colour
// scale's values at five heights: the height is the colour coordinate, linear or log).
// `px_scale` maps target pixels to screen units.
void surface_axes(ImDrawList* dl, App& app, ImVec2 r0, ImVec2 r1, ImVec2 px_scale) {
  std::vector<SurfaceAxisTick>& out = axis_ticks();
  out.clear();
  axis_caption().clear();
  const SurfaceRenderer& sr = app.surface();
  const double* d = sr.drawn_domain();
  const auto at = [&](double x, double y, double t, ImVec2& p) {
    float q[2];
    if (!sr.project(x, y, t, q)) return false;
    p = ImVec2(r0.x + q[0] * px_scale.x, r0.y + q[1] * px_scale.y);
    return true;
  };
  const double xs[2] = {d[0], d[1]}, ys[2] = {d[2], d[3]};
  ImVec2 corner[2][2];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      if (!at(xs[i], ys[j], 0, corner[i][j])) return;
  ImVec2 centre;
  if (!at(0.5 * (d[0] + d[1]), 0.5 * (d[2] + d[3]), 0, centre)) return;
  // The front edges: larger screen y at their midpoints.
  const int jy = corner[0][0].y + corner[1][0].y >= corner[0][1].y + corner[1][1].y ? 0 : 1;  // x axis at y = ys[jy]
  const int ix = corner[0][0].y + corner[0][1].y >= corner[1][0].y + corner[1][1].y ? 0 : 1;  // y axis at x = xs[ix]
  const float fs = ImGui::GetFontSize();
  const ImU32 ink = IM_COL32(200, 205, 215, 230), line = IM_COL32(200, 205, 215, 150);
  dl->PushClipRect(r0, r1, true);
  const auto axis = [&](char name, double lo, double hi, const std::function<void(double, double&, double&)>& place) {
    double ax = 0, ay = 0, bx = 0, by = 0;
    place(lo, ax, ay);
    place(hi, bx, by);
    ImVec2 a, b;
    if (!at(ax, ay, 0, a) || !at(bx, by, 0, b)) return;
    dl->AddLine(a, b, line, 1.5f);
    const float len = std::hypot(b.x - a.x, b.y - a.y);
    const int target = std::clamp(static_cast<int>(len / (fs * 5)), 2, 8);
    for (double v : nice_ticks(lo, hi, target)) {
      double x = 0, y = 0;
      place(v, x, y);
      ImVec2 p;
      if (!at(x, y, 0, p)) continue;
      // Outward: away from the base's centre on screen.
      float ox = p.x - centre.x, oy = p.y - centre.y;
      const float n = std::max(1e-3f, std::hypot(ox, oy));
      ox /= n, oy /= n;
      const ImVec2 q(p.x + ox * fs * 0.5f, p.y + oy * fs * 0.5f);
      dl->AddLine(p, q, line, 1.2f);
      const std::string label = tick_label(v);
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      const ImVec2 c(q.x + ox * (ts.x * 0.5f + fs * 0.3f), q.y + oy * (fs * 0.7f));
      dl->AddText(ImVec2(c.x - ts.x * 0.5f, c.y - ts.y * 0.5f), ink, label.c_str());
      out.push_back({name, v, c, label});
    }
    // The axis name beyond its far end.
    ImVec2 mid((a.x + b.x) / 2, (a.y + b.y) / 2);
    float ox = mid.x - centre.x, oy = mid.y - centre.y;
    const float n = std::max(1e-3f, std::hypot(ox, oy));
    const char nm[2] = {name, 0};
    dl->AddText(ImVec2(mid.x + ox / n * fs * 2.6f - fs * 0.3f, mid.y + oy / n * fs * 2.2f - fs * 0.5f), ink, nm);
  };
  axis('x', d[0], d[1], [&](double v, double& x, double& y) { x = v, y = ys[jy]; });
  axis('y', d[2], d[3], [&](double v, double& x, double& y) { x = xs[ix], y = v; });
  // f: the vertical edge at the left-most base corner, labelled with the colour scale's values.
  int li = 0, lj = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      if (corner[i][j].x < corner[li][lj].x) li = i, lj = j;
  const ColourScale& sc = app.results().scale;
  const float height = app.model().ui.surface_height;
  ImVec2 z0, z1;
  if (at(xs[li], ys[lj], 0, z0) && at(xs[li], ys[lj], 1, z1) && app.results().grid && height > 0) {
    dl->AddLine(z0, z1, line, 1.5f);
    // Left of the axis, or right of it where the view's edge would cut the widest label.
    float widest = 0;
    for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
      char b[32];
      std::snprintf(b, sizeof b, "%.3g", sc.value_at(t));
      widest = std::max(widest, ImGui::CalcTextSize(b).x);
    }
    const float side = std::min(z0.x, z1.x) - fs * 0.8f - widest < r0.x + 2 ? 1.f : -1.f;
    for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
      ImVec2 p;
      if (!at(xs[li], ys[lj], t, p)) continue;
      char b[32];
      std::snprintf(b, sizeof b, "%.3g", sc.value_at(t));
      const ImVec2 ts = ImGui::CalcTextSize(b);
      dl->AddLine(p, ImVec2(p.x + side * fs * 0.5f, p.y), line, 1.2f);
      const ImVec2 c(p.x + side * (fs * 0.8f + ts.x * 0.5f), p.y);
      dl->AddText(ImVec2(c.x - ts.x * 0.5f, c.y - ts.y * 0.5f), ink, b);
      out.push_back({'f', sc.value_at(t), c, b});
    }
    dl->AddText(ImVec2(z1.x - fs * 0.3f, z1.y - fs * 1.6f), ink, "f");
  }
  // Axes named by more than a letter (a language model's plane): said in a caption at the
  // bottom left, since the names are too long to stand at the axes' ends.
  const Figure names = surface_names(app);
  if (names.xlabel != "x") {
    const std::string caption = "x: " + names.xlabel + "   y: " + names.ylabel + "   f: " + names.colour_label;
    dl->AddText(ImVec2(r0.x + fs * 0.5f, r1.y - fs * 1.5f), ink, caption.c_str());
    axis_caption() = caption;
  }
  dl->PopClipRect();
}

}  // namespace

const std::vector<SurfaceAxisTick>& surface_axis_ticks() { return axis_ticks(); }
const std::string& surface_axis_caption() { return axis_caption(); }

void DrawSurfaceView(App& app) {
  const Scene* s = app.scene();
  if (!s) {
    ImGui::TextDisabled("no landscape");
    return;
  }
  Model& m = app.model();
  // The surface spans the scene's domain (the 2-D view's fitted rectangle).
  app.request_grid(s->domain);
  const ImVec2 r0 = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
  const ImVec2 size(std::max(avail.x, 64.f), std::max(avail.y - ImGui::GetFrameHeightWithSpacing(), 64.f));
  // The surface is rendered left of the colour bar's strip (surface_markup), so the bar and
  // its labels do not cover the surface or its axis labels; a narrow view (the 1024-pixel
  // window's) keeps its whole width for the surface, whose axes would lose their ticks.
  const float fs = ImGui::GetFontSize();
  const float strip = app.results().grid && size.x >= 40 * fs ? 6 * fs : 0.f;
  const ImVec2 scene(size.x - strip, size.y);
  const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
  const int w = std::max(16, static_cast<int>(scene.x * scale.x)), h = std::max(16, static_cast<int>(scene.y * scale.y));

  ImGui::InvisibleButton("##surface", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  app.note_item("view/surface");
  const ImGuiIO& io = ImGui::GetIO();
  OrbitCamera& cam = m.ui.camera;
  if (ImGui::IsItemActive() && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
    cam.yaw -= io.MouseDelta.x * 0.008f;
    cam.pitch = std::clamp(cam.pitch + io.MouseDelta.y * 0.008f, 0.05f, 1.5f);
  }
  if (ImGui::IsItemHovered() && io.MouseWheel != 0)
    cam.distance = std::clamp(cam.distance * std::pow(0.9f, io.MouseWheel), 1.2f, 15.f);
  if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) cam = OrbitCamera();

  // Rendered into the view's own target, and only when something it shows changed: a
  // software rasteriser pays for every surface fragment, and most frames (hover, panels,
  // plots) change none of it. ImGui shows the target when the frame is drawn.
  GlTarget& target = app.surface_target();
  uint64_t key = 1469598103934665603ull;
  const auto mix = [&](double v) {
    uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    key = (key ^ b) * 1099511628211ull;
  };
  // What the surface shows (surface_key), then what the paths add (key).
  for (double v : {static_cast<double>(app.instance()), static_cast<double>(w), static_cast<double>(h),
                   static_cast<double>(app.results().grid_serial), static_cast<double>(cam.yaw),
                   static_cast<double>(cam.pitch), static_cast<double>(cam.distance), static_cast<double>(m.ui.surface_height),
                   static_cast<double>(app.exp().view.contours),
                   static_cast<double>(std::hash<std::string>()(app.exp().view.colormap))})
    mix(v);
  const uint64_t surface_key = key;
  mix(static_cast<double>(app.results().runs_serial));
  mix(m.play.cursor);
  for (const RunSpec& r : app.exp().runs) mix(static_cast<double>(r.colour) + (r.visible ? 0.5 : 0));
  static uint64_t drawn = 0;
  if (target.width() != w || target.height() != h) drawn = 0;
  target.resize(w, h);
  if (app.results().grid && key != drawn) {
    app.surface().draw(target, app.textures(), app.results().scale, app.exp().view.contours, cam, m.ui.surface_height,
                       build_paths(app), kSurfaceBackground, surface_key);
    drawn = key;
  }
  app.platform().bind_target();
  draw_target_blit(ImGui::GetWindowDrawList(), target, r0, ImVec2(r0.x + scene.x, r0.y + scene.y));
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(r0.x + scene.x, r0.y), ImVec2(r0.x + size.x, r0.y + size.y),
                                            rgb_u32(kSurfaceBackground));
  ImGui::GetWindowDrawList()->AddText(ImVec2(r0.x + 8, r0.y + 6), IM_COL32(200, 205, 215, 200),
                                      "drag: orbit   wheel: zoom   double-click: reset");
  surface_axes(ImGui::GetWindowDrawList(), app, r0, ImVec2(r0.x + scene.x, r0.y + scene.y),
               ImVec2(scene.x / static_cast<float>(w), scene.y / static_cast<float>(h)));
  surface_markup(ImGui::GetWindowDrawList(), app, r0, ImVec2(r0.x + size.x, r0.y + size.y));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  ImGui::SliderFloat("height", &m.ui.surface_height, 0.1f, 2.f, "%.2f");
}

}  // namespace zs::gui
