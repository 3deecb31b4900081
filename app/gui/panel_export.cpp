// Export panel: the trajectory figure as PNG at any resolution through an offscreen
// framebuffer (the GPU view), as PNG + SVG through core's exporter (publication figure),
// the runs as CSV / JSONL or a whole run directory, the experiment JSON, a screenshot.
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include "app/gui/app.h"
#include "app/gui/panels.h"

namespace zs::gui {

namespace {
void section(const char* name) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", name);
  ImGui::Separator();
}
}  // namespace

void DrawExportPanel(App& app) {
  Model& m = app.model();
  layout_place(app, PanelId::Export);
  if (!ImGui::Begin("Export", &m.ui.show_export, layout_flags(app, PanelId::Export))) {
    ImGui::End();
    return;
  }
  UiOptions& ui = m.ui;
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 7);
  ImGui::InputText("folder", &ui.export_dir);
  app.note_item("export/folder");
  const std::string dir = ui.export_dir.empty() ? "." : ui.export_dir;
  int size[2] = {ui.export_w, ui.export_h};
  if (ImGui::InputInt2("size (px)", size)) {
    ui.export_w = std::clamp(size[0], 16, 16384);
    ui.export_h = std::clamp(size[1], 16, 16384);
  }
  ImGui::PopItemWidth();
  static const int presets[][2] = {{1280, 800}, {1920, 1080}, {2560, 1600}, {3840, 2160}, {1600, 1200}};
  for (const auto& p : presets) {
    ImGui::SameLine();
    const std::string label = std::to_string(p[0]) + "x" + std::to_string(p[1]);
    if (ImGui::SmallButton(label.c_str())) {
      ui.export_w = p[0];
      ui.export_h = p[1];
    }
    if (ImGui::GetContentRegionAvail().x < 90) ImGui::NewLine();
  }
  ImGui::InputText("title", &m.exp.export_style.title);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("figure title (empty: the experiment's name)");

  section("Figure");
  if (ImGui::Button("PNG (GPU view)")) app.export_view_png(dir + "/view.png", ui.export_w, ui.export_h);
  app.note_item("export/view_png");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the landscape view rendered offscreen at %dx%d, independent of the window", ui.export_w, ui.export_h);
  ImGui::SameLine();
  if (ImGui::Button("PNG + SVG (publication)")) {
    m.exp.export_style.width = ui.export_w;
    m.exp.export_style.height = ui.export_h;
    app.export_figure(dir + "/figure.png", dir + "/figure.svg", ui.export_w, ui.export_h);
  }
  app.note_item("export/figure");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("core's CPU exporter: heatmap, contours, legend, stamp (same as zoscope-cli)");

  section("Runs");
  if (ImGui::Button("CSV + JSONL")) app.export_runs(dir + "/runs.csv", dir + "/runs.jsonl");
  app.note_item("export/runs");
  ImGui::SameLine();
  if (ImGui::Button("Run directory")) app.export_run_dir(dir + "/run");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("experiment.json, runs.csv, runs.jsonl, summary.json, figure.png, figure.svg");
  if (!app.results().runs_complete) ImGui::TextColored(ImVec4(0.95f, 0.8f, 0.4f, 1), "runs are still computing: exports hold the rows so far");

  section("Experiment and window");
  if (ImGui::Button("Save experiment")) app.save_experiment(m.exp_path.empty() ? dir + "/experiment.json" : m.exp_path);
  app.note_item("export/save");
  ImGui::SameLine();
  if (ImGui::Button("Save as...")) m.ui.show_save = true;
  ImGui::SameLine();
  if (ImGui::Button("Window screenshot")) app.request_screenshot(dir + "/screenshot.png");
  if (app.tasks_running()) ImGui::TextDisabled("writing...");
  ImGui::End();
}

}  // namespace zs::gui
