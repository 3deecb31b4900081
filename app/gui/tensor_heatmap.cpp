// The per-tensor heatmap (see tensor_heatmap.h).
#include "app/gui/tensor_heatmap.h"
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>
#include "app/gui/app.h"
#include "app/gui/overlay.h"
#include "app/gui/text_wrap.h"
#include "core/export/colormap.h"

namespace zs::gui {

namespace {

struct HeatCache {
  uint64_t app = 0, serial = ~0ull;
  int run = -1, cols = 0, rows = 0;
  bool rms = false;
  std::string colormap;
  std::vector<float> cell;  // rows x cols, log10 of the mean over the cell (NaN: none)
  float lo = NAN, hi = NAN;
};

// log10 of the values, averaged over the steps and tensors that fall into each cell.
void rebuild(HeatCache& c, const RunRecord& rec, int cols, int rows) {
  const std::vector<float>& v = c.rms ? rec.tensor_rms : rec.tensor_alpha;
  const size_t nt = rec.tensor_names.size(), ns = v.size() / nt;
  c.cols = cols;
  c.rows = rows;
  c.cell.assign(static_cast<size_t>(cols * rows), NAN);
  c.lo = INFINITY;
  c.hi = -INFINITY;
  std::vector<double> sum(static_cast<size_t>(cols * rows), 0.0);
  std::vector<int> cnt(static_cast<size_t>(cols * rows), 0);
  for (size_t s = 0; s < ns; ++s) {
    const size_t ci = s * static_cast<size_t>(cols) / ns;
    for (size_t k = 0; k < nt; ++k) {
      const float x = v[s * nt + k];
      if (!(x > 0) || !std::isfinite(x)) continue;
      const size_t ri = k * static_cast<size_t>(rows) / nt;
      sum[ri * static_cast<size_t>(cols) + ci] += std::log10(x);
      ++cnt[ri * static_cast<size_t>(cols) + ci];
    }
  }
  for (size_t i = 0; i < sum.size(); ++i)
    if (cnt[i] > 0) {
      c.cell[i] = static_cast<float>(sum[i] / cnt[i]);
      c.lo = std::min(c.lo, c.cell[i]);
      c.hi = std::max(c.hi, c.cell[i]);
    }
}

}  // namespace

std::string tensor_heatmap_note(const RunRecord* rec) {
  if (!rec || rec->rows.size() <= 1) return "no steps yet: each step adds a column";
  return "this run has no per-tensor statistics (its engine records none)";
}

void draw_tensor_heatmap(App& app, float height) {
  static HeatCache cache;
  static int run = 0;
  static bool rms = false;
  const Experiment& e = app.exp();
  const int n_runs = static_cast<int>(e.runs.size());
  if (n_runs == 0) return;
  run = std::clamp(run, 0, n_runs - 1);
  ImGui::PushID("tensor_heatmap");
  const float top = ImGui::GetCursorScreenPos().y;
  ImGui::TextUnformatted(rms ? "RMS update per tensor" : "step size per tensor");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::BeginCombo("##run", e.runs[static_cast<size_t>(run)].label.c_str())) {
    for (int i = 0; i < n_runs; ++i)
      if (ImGui::Selectable((e.runs[static_cast<size_t>(i)].label + "##" + std::to_string(i)).c_str(), i == run)) run = i;
    ImGui::EndCombo();
  }
  app.note_item("plots/tensors_run");
  // In a narrow panel the choice goes on a line of its own rather than past the edge.
  same_line_if_fits(checkbox_width("step size") + ImGui::GetStyle().ItemSpacing.x + checkbox_width("RMS update"));
  if (ImGui::RadioButton("step size", !rms)) rms = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("RMS update", rms)) rms = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("sqrt(mean over the tensor of (theta_t - theta_t-1)^2)");
  app.note_item("plots/tensors_mode");

  const RunRecord* rec = app.record(run);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImVec2 size(std::max(40.f, ImGui::GetContentRegionAvail().x), std::max(30.f, height - (p0.y - top)));
  ImGui::InvisibleButton("##heat", size);
  app.note_item("plots/tensors");
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p0, ImVec2(p0.x + size.x, p0.y + size.y), IM_COL32(20, 20, 24, 255));
  const size_t nt = rec ? rec->tensor_names.size() : 0;
  const std::vector<float>* v = rec ? (rms ? &rec->tensor_rms : &rec->tensor_alpha) : nullptr;
  if (!rec || nt == 0 || v->size() < nt) {
    // Wrapped inside the box (one line ran past the panel's edge).
    const std::string note = tensor_heatmap_note(rec);
    float y = p0.y + 6;
    for (const std::string& line : wrap_at_spaces(note, size.x - 12, [](const std::string& t) { return ImGui::CalcTextSize(t.c_str()).x; })) {
      dl->AddText(ImVec2(p0.x + 6, y), IM_COL32(160, 160, 160, 255), line.c_str());
      y += ImGui::GetTextLineHeight();
    }
    ImGui::PopID();
    return;
  }
  const size_t ns = v->size() / nt;
  // Columns of the run's steps up to the end of the x extent of the plots: one step per
  // column, averaged when there are more steps than pixels.
  const int cols = static_cast<int>(std::min<size_t>(ns, static_cast<size_t>(size.x)));
  const int rows = static_cast<int>(std::min<size_t>(nt, static_cast<size_t>(size.y)));
  const std::string& cmap = e.view.colormap;
  if (cache.app != app.instance() || cache.serial != app.results().runs_serial || cache.run != run || cache.rms != rms ||
      cache.cols != cols || cache.rows != rows || cache.colormap != cmap) {
    cache.app = app.instance();
    cache.serial = app.results().runs_serial;
    cache.run = run;
    cache.rms = rms;
    cache.colormap = cmap;
    rebuild(cache, *rec, cols, rows);
  }
  const float cw = size.x / static_cast<float>(cols), rh = size.y / static_cast<float>(rows);
  const float span = cache.hi > cache.lo ? cache.hi - cache.lo : 1.f;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const float x = cache.cell[static_cast<size_t>(r * cols + c)];
      if (!std::isfinite(x)) continue;
      const double t = cache.hi > cache.lo ? (x - cache.lo) / span : 0.5;
      const ImVec2 a(p0.x + c * cw, p0.y + r * rh), b(p0.x + (c + 1) * cw, p0.y + (r + 1) * rh);
      dl->AddRectFilled(a, b, rgb_u32(colormap_rgb(cmap, t)));
    }
  char range[96];
  if (cache.hi - cache.lo < 1e-6f)  // MeZO's step size is lr on every element: one colour
    std::snprintf(range, sizeof range, "every tensor: %.3g (uniform)", std::pow(10.0, static_cast<double>(cache.lo)));
  else
    std::snprintf(range, sizeof range, "log10: %.2f .. %.2f", static_cast<double>(cache.lo), static_cast<double>(cache.hi));
  dl->AddText(ImVec2(p0.x + 4, p0.y + size.y - ImGui::GetFontSize() - 2), IM_COL32(255, 255, 255, 200), range);
  if (hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const size_t k = std::min(nt - 1, static_cast<size_t>(std::max(0.f, (m.y - p0.y) / size.y) * static_cast<float>(nt)));
    const size_t s = std::min(ns - 1, static_cast<size_t>(std::max(0.f, (m.x - p0.x) / size.x) * static_cast<float>(ns)));
    ImGui::SetTooltip("%s\nstep %zu: step size %.3g, RMS update %.3g", rec->tensor_names[k].c_str(), s + 1,
                      static_cast<double>(rec->tensor_alpha[s * nt + k]), static_cast<double>(rec->tensor_rms[s * nt + k]));
  }
  ImGui::PopID();
}

}  // namespace zs::gui
