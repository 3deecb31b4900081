// Window layout. Tiled (default): panels follow the window size; the left column and the
// plots column can be resized by their inner edges and keep that width (settings file).
// Free: panels start at the tiled places once, then move freely (imgui.ini remembers).
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include "app/gui/app.h"
#include "app/gui/panels.h"

namespace zs::gui {

namespace {

struct Rect {
  ImVec2 pos, size;
};

Rect tiled_rect(App& app, PanelId id) {
  const ImGuiIO& io = ImGui::GetIO();
  UiOptions& ui = app.model().ui;
  const float W = io.DisplaySize.x, H = io.DisplaySize.y;
  const float top = ImGui::GetFrameHeight(), bottom = ImGui::GetFrameHeight() + 4;
  const float body = std::max(100.f, H - top - bottom);
  // Column widths: proportional to the window until the user drags an edge (then kept, in
  // the settings file); at least 360 px stay for the view, the plots column gives first.
  float side = ui.sidebar_w > 0 ? std::clamp(ui.sidebar_w, 240.f, std::max(240.f, 0.4f * W)) : std::clamp(0.22f * W, 270.f, 380.f);
  float plots = ui.plots_w > 0 ? std::clamp(ui.plots_w, 240.f, std::max(240.f, 0.45f * W)) : std::clamp(0.27f * W, 300.f, 470.f);
  const float min_view = 360;
  if (W - side - plots < min_view) plots = std::max(200.f, W - side - min_view);
  if (W - side - plots < min_view) side = std::max(200.f, W - plots - min_view);
  const float centre = std::max(100.f, W - side - plots);
  const ImGuiStyle& st = ImGui::GetStyle();
  const float playback_h = 2 * ImGui::GetFrameHeightWithSpacing() + 2 * st.WindowPadding.y - st.ItemSpacing.y + 2;
  const float scene_h = std::floor(body * 0.42f);
  switch (id) {
    case PanelId::Scene: return {ImVec2(0, top), ImVec2(side, scene_h)};
    case PanelId::Runs: return {ImVec2(0, top + scene_h), ImVec2(side, body - scene_h)};
    case PanelId::Playback: return {ImVec2(side, top), ImVec2(centre, playback_h)};
    case PanelId::View: return {ImVec2(side, top + playback_h), ImVec2(centre, body - playback_h)};
    case PanelId::Plots: return {ImVec2(side + centre, top), ImVec2(plots, body)};
    case PanelId::Export: return {ImVec2(side + 40, top + playback_h + 40), ImVec2(560, 470)};
  }
  return {};
}

}  // namespace

void layout_place(App& app, PanelId id) {
  const Rect r = tiled_rect(app, id);
  const bool floating = id == PanelId::Export;
  const ImGuiCond cond = app.model().ui.tiled && !floating ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(r.pos, cond);
  ImGui::SetNextWindowSize(r.size, cond);
}

int layout_flags(const App& app, PanelId id) {
  int f = ImGuiWindowFlags_NoCollapse;
  if (id == PanelId::Playback) f |= ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar;
  if (!app.model().ui.tiled || id == PanelId::Export) return f;
  // Tiled panels cover the window without overlapping: the frame's clear colour is their
  // background, which saves a full-window layer of (software) fill per frame.
  f |= ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
  // Only the columns' inner edges resize (read back by layout_track).
  if (id != PanelId::Scene && id != PanelId::Plots) f |= ImGuiWindowFlags_NoResize;
  return f;
}

void layout_track(App& app, PanelId id) {
  UiOptions& ui = app.model().ui;
  if (!ui.tiled || (id != PanelId::Scene && id != PanelId::Plots)) return;
  // Only a width the user dragged is kept; the layout's own widths stay proportional.
  const float w = ImGui::GetWindowWidth(), placed = tiled_rect(app, id).size.x;
  if (std::fabs(w - placed) > 0.5f) (id == PanelId::Scene ? ui.sidebar_w : ui.plots_w) = w;
}

}  // namespace zs::gui
