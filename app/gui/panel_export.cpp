// Export panel: the trajectory figure as PNG at any resolution through an offscreen
// framebuffer (the GPU view), as PNG + SVG through core's exporter (publication figure),
// the runs as CSV / JSONL or a whole run directory, the experiment JSON, a screenshot.
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include "app/gui/app.h"
#include "app/gui/panels.h"
#include "app/gui/text_wrap.h"
#include "core/export/line_chart.h"
#include "core/util/error.h"
#include "core/util/atomic_file.h"

namespace zs::gui {

std::string export_path(const App& app, const std::string& dir, const std::string& what, const std::vector<std::string>& exts,
                        std::time_t when) {
  std::string slug;
  const Experiment& e = app.exp();
  for (char c : e.name.empty() ? e.landscape.id : e.name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (ok) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!slug.empty() && slug.back() != '-') slug += '-';
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "experiment";
  std::tm tm{};
  localtime_r(&when, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  const std::string base = (dir.empty() ? "." : dir) + "/" + slug + "-" + stamp + "-" + what;
  for (int k = 1;; ++k) {
    const std::string p = k == 1 ? base : base + "-" + std::to_string(k);
    bool taken = false;
    std::error_code ec;
    for (const std::string& x : exts) taken = taken || std::filesystem::exists(p + x, ec);
    if (!taken) return p;
  }
}

std::vector<LineChart> plots_panel_figure_charts(const App& app) {
  std::array<LineChart, 4> charts = plots_panel_charts(app);
  std::vector<LineChart> out;
  for (LineChart& c : charts) {
    c.ylabel = c.title;  // the panel's own title stays short; the landscape panel names the experiment
    out.push_back(std::move(c));
  }
  return out;
}

int export_plots(App& app, const std::string& stem, int w, int h) {
  const Experiment& e = app.exp();
  // The Plots panel's own charts: the same series (EMA over the faint raw envelope, f - f*,
  // symlog, x unit) and so the same layout (range, scale, ticks, clip notes, legend).
  std::vector<LineChart> charts = plots_panel_figure_charts(app);
  static const char* const names[4] = {"loss", "stepsize", "cos", "path"};
  int written = 0;
  for (size_t p = 0; p < 4; ++p) {
    LineChart& c = charts[p];
    c.title = (e.name.empty() ? e.landscape.id : e.name) + ": " + c.title;  // alone, a chart names the experiment
    png_write(stem + "-" + names[p] + ".png", chart_render_image(c, w, h));
    atomic_write(stem + "-" + names[p] + ".svg", chart_render_svg(c, w, h));
    written += 2;
  }
  return written;
}

namespace {
float button_width(const char* label) { return ImGui::CalcTextSize(label).x + 2 * ImGui::GetStyle().FramePadding.x; }
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
  // The size presets and the buttons below flow onto the next line where the panel is too
  // narrow for them (the default 560-pixel panel clipped "1280x800" and "Plots (PNG + SVG)").
  static const int presets[][2] = {{1280, 800}, {1920, 1080}, {2560, 1600}, {3840, 2160}, {1600, 1200}};
  for (size_t k = 0; k < std::size(presets); ++k) {
    const auto& p = presets[k];
    const std::string label = std::to_string(p[0]) + "x" + std::to_string(p[1]);
    same_line_if_fits(button_width(label.c_str()));
    if (ImGui::SmallButton(label.c_str())) {
      ui.export_w = p[0];
      ui.export_h = p[1];
    }
    app.note_item("export/size/" + std::to_string(k));
  }
  ImGui::InputText("title", &m.exp.export_style.title);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("figure title (empty: the experiment's name)");

  section("Figure");
  // File names never overwrite: experiment, time stamp, what ("-2" etc. within a second).
  const std::time_t now = std::time(nullptr);
  if (ImGui::Button("PNG (GPU view)")) app.export_view_png(export_path(app, dir, "view", {".png"}, now) + ".png", ui.export_w, ui.export_h);
  app.note_item("export/view_png");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the landscape view rendered offscreen at %dx%d, independent of the window", ui.export_w, ui.export_h);
  same_line_if_fits(button_width("PNG + SVG (publication)"));
  if (ImGui::Button("PNG + SVG (publication)")) {
    m.exp.export_style.width = ui.export_w;
    m.exp.export_style.height = ui.export_h;
    const std::string p = export_path(app, dir, "figure", {".png", ".svg"}, now);
    app.export_figure(p + ".png", p + ".svg", ui.export_w, ui.export_h);
  }
  app.note_item("export/figure");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("core's CPU exporter: heatmap, contours, legend, stamp (same as zoscope-cli)");
  same_line_if_fits(button_width("Landscape + plots"));
  if (ImGui::Button("Landscape + plots")) {
    const std::string p = export_path(app, dir, "panels", {".png", ".svg"}, now);
    app.export_figure(p + ".png", p + ".svg", ui.export_w, ui.export_h, plots_panel_figure_charts(app));
  }
  app.note_item("export/panels");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("one figure (PNG + SVG): the landscape on the left, the four plots on the right, each as exported alone");
  same_line_if_fits(button_width("Plots (PNG + SVG)"));
  if (ImGui::Button("Plots (PNG + SVG)")) {
    const std::string p = export_path(app, dir, "plot", {"-loss.png", "-loss.svg"}, now);
    try {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(p).parent_path(), ec);
      const int n = export_plots(app, p, ui.export_w, ui.export_h);
      app.status("wrote " + std::to_string(n) + " files " + p + "-{loss,stepsize,cos,path}.{png,svg}");
    } catch (const std::exception& err) {
      app.status(error_line(err), true);
    }
  }
  app.note_item("export/plots");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("loss, step size, cosine and path length as figures (core's exporter)");

  section("Runs");
  if (ImGui::Button("CSV + JSONL")) {
    const std::string p = export_path(app, dir, "runs", {".csv", ".jsonl"}, now);
    app.export_runs(p + ".csv", p + ".jsonl");
  }
  app.note_item("export/runs");
  same_line_if_fits(button_width("Run directory"));
  if (ImGui::Button("Run directory")) app.export_run_dir(export_path(app, dir, "run", {""}, now));
  app.note_item("export/run_dir");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("experiment.json, runs.csv, runs.jsonl, summary.json, figure.png, figure.svg");
  if (!app.results().runs_complete) ImGui::TextColored(ImVec4(0.95f, 0.8f, 0.4f, 1), "runs are still computing: exports hold the rows so far");

  section("Experiment and window");
  if (ImGui::Button("Save experiment")) app.save_experiment(m.exp_path.empty() ? dir + "/experiment.json" : m.exp_path);
  app.note_item("export/save");
  same_line_if_fits(button_width("Save as..."));
  if (ImGui::Button("Save as...")) m.ui.show_save = true;
  same_line_if_fits(button_width("Window screenshot"));
  if (ImGui::Button("Window screenshot")) app.request_screenshot(export_path(app, dir, "screenshot", {".png"}, now) + ".png");
  app.note_item("export/screenshot");
  if (app.tasks_running()) ImGui::TextDisabled("writing...");
  ImGui::End();
}

}  // namespace zs::gui
