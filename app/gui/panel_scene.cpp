// Scene panel: landscape (sliders generated from its declaration), expression with inline
// errors, dimension and projection for N-D families, start, seed, noise, colour options.
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include "app/gui/app.h"
#include "app/gui/panels.h"
#include "app/gui/param_widgets.h"
#include "app/gui/text_wrap.h"
#include "core/export/colormap.h"

namespace zs::gui {

namespace {

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void section(const char* name) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", name);
  ImGui::Separator();
}

void landscape_section(App& app, const LandscapeDef& def) {
  Model& m = app.model();
  Experiment& e = m.exp;
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 5.5f);
  if (ImGui::BeginCombo("landscape", def.display.c_str(), ImGuiComboFlags_HeightLarge)) {
    for (const LandscapeDef& d : landscape_catalog()) {
      const std::string label = d.display + (d.nd ? "  (N-D)" : "");
      if (ImGui::Selectable(label.c_str(), d.id == def.id) && d.id != def.id) app.set_landscape(d.id);
    }
    ImGui::EndCombo();
  }
  app.note_item("scene/landscape");
  if (const Scene* s = app.scene(); s && !s->landscape->info().formula.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", s->landscape->info().formula.c_str());
    ImGui::PopTextWrapPos();
  }
  if (def.expression) {
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 5.5f);
    if (ImGui::InputText("f(x, y)", &m.expression_edit)) {
      // Committed only when it parses: the last valid landscape stays on screen meanwhile.
      try {
        landscape_create(def.id, e.landscape.params, 2, m.expression_edit, "expression");
        e.landscape.expression = m.expression_edit;
        m.expression_error.clear();
      } catch (const std::exception& err) {
        m.expression_error = err.what();
      }
    }
    app.note_item("scene/expression");
    help_marker("muParser syntax: + - * / ^, sin cos tan exp log sqrt abs min max ..., variables x and y.");
    if (!m.expression_error.empty()) {
      error_text(m.expression_error);
    }
  }
  if (def.nd) {
    int dim = e.landscape.dim;
    const int lo = 2, hi = 100000;
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 5.5f);
    if (ImGui::SliderScalar("dimension", ImGuiDataType_S32, &dim, &lo, &hi, "%d",
                            ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
      app.set_dim(dim);
    app.note_item("scene/dim");
  }
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 5.5f);
  param_widgets(app, def.params, e.landscape.params, "scene/");
  ImGui::PopItemWidth();
}

void start_section(App& app) {
  Experiment& e = app.model().exp;
  const Scene* s = app.scene();
  section("Start and randomness");
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 5.5f);
  if (s && e.landscape.dim == 2) {
    double v[2] = {s->start[0], s->start[1]};
    const float speed = static_cast<float>((s->domain[1] - s->domain[0]) / 600);
    if (!e.start.empty()) ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 9.5f);
    if (ImGui::DragScalarN("start", ImGuiDataType_Double, v, 2, speed, nullptr, nullptr, "%.4g")) e.start = {v[0], v[1]};
    app.note_item("scene/start");
  } else if (s) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "start: %s, |x0| = %.4g", e.start.empty() ? "the landscape's usual start" : "custom", s->start.norm());
    text_wrapped_at_spaces(buf);  // wrapped: the panel is narrow
    app.note_item("scene/start_text");
  }
  if (!e.start.empty()) {
    ImGui::SameLine();
    if (ImGui::SmallButton("default")) e.start.clear();
  }
  ImGui::InputScalar("seed", ImGuiDataType_U64, &e.seed);
  app.note_item("scene/seed");
  const double nlo = 0, nhi = 10;
  ImGui::SliderScalar("noise", ImGuiDataType_Double, &e.landscape.noise, &nlo, &nhi, "%.3g",
                      ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("sigma of the per-step minibatch noise added to every loss query");
  ImGui::PopItemWidth();
}

void projection_section(App& app) {
  Experiment& e = app.model().exp;
  if (e.landscape.dim <= 2) return;
  section("View plane (N-D)");
  static const char* modes[] = {"auto", "toward_minimum", "plane", "coords"};
  static const char* names[] = {"auto", "start -> minimum + seeded", "two seeded directions", "two coordinates"};
  int cur = 0;
  for (int k = 0; k < 4; ++k)
    if (e.view.projection == modes[k]) cur = k;
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 5.5f);
  if (ImGui::Combo("projection", &cur, names, 4)) {
    e.view.projection = modes[cur];
    for (double& d : e.view.domain) d = 0;
  }
  if (e.view.projection == "coords") {
    int c[2] = {e.view.coords[0], e.view.coords[1]};
    if (ImGui::InputInt2("coords", c)) {
      for (int& v : c) v = std::clamp(v, 0, e.landscape.dim - 1);
      if (c[0] != c[1]) {
        e.view.coords[0] = c[0];
        e.view.coords[1] = c[1];
        for (double& d : e.view.domain) d = 0;
      }
    }
  } else if (e.view.projection != "auto" || e.view.plane_seed != 0) {
    if (ImGui::InputScalar("plane seed", ImGuiDataType_U64, &e.view.plane_seed))
      for (double& d : e.view.domain) d = 0;
  }
  ImGui::PopItemWidth();
}

void colour_section(App& app) {
  Experiment& e = app.model().exp;
  section("Colours");
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 5.5f);
  if (ImGui::BeginCombo("colormap", e.view.colormap.c_str())) {
    for (const std::string& n : colormap_names())
      if (ImGui::Selectable(n.c_str(), n == e.view.colormap)) e.view.colormap = n;
    ImGui::EndCombo();
  }
  app.note_item("scene/colormap");
  int lc = e.view.log_colour + 1;
  static const char* lc_names[] = {"landscape default", "linear", "log (height above min)"};
  if (ImGui::Combo("colour scale", &lc, lc_names, 3)) e.view.log_colour = lc - 1;
  ImGui::SliderInt("contours", &e.view.contours, 0, 40, "%d", ImGuiSliderFlags_AlwaysClamp);
  ImGui::PopItemWidth();
  ImGui::Checkbox("probe points (P)", &e.view.show_probes);
  ImGui::SameLine();
  if (ImGui::Button("Fit view (F)")) {
    for (double& d : e.view.domain) d = 0;
    app.model().ui.camera = OrbitCamera();
  }
}

}  // namespace

void DrawScenePanel(App& app) {
  layout_place(app, PanelId::Scene);
  if (ImGui::Begin("Scene", nullptr, layout_flags(app, PanelId::Scene))) {
    layout_track(app, PanelId::Scene);
    // Scene kind: a landscape (2-D, N-D, expression) or a language model.
    int kind = app.llm_mode() ? 1 : 0;
    ImGui::RadioButton("Landscape", &kind, 0);
    app.note_item("scene/kind_landscape");
    ImGui::SameLine();
    ImGui::BeginDisabled(app.llm() == nullptr);
    ImGui::RadioButton("Language model", &kind, 1);
    ImGui::EndDisabled();
    app.note_item("scene/kind_llm");
    if (kind != (app.llm_mode() ? 1 : 0)) app.set_llm_mode(kind == 1);
    if (!app.llm()) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextDisabled("%s", llm_support_note());
      ImGui::PopTextWrapPos();
    }
    if (app.llm_mode() && app.llm()) {
      section("Language model");
      app.llm()->draw_panel(app);
      colour_section(app);
    } else {
      if (const LandscapeDef* def = landscape_find(app.exp().landscape.id)) landscape_section(app, *def);
      start_section(app);
      projection_section(app);
      colour_section(app);
    }
  }
  ImGui::End();
}

}  // namespace zs::gui
