// Main menu bar, status bar, the window title and the small dialogs (open, save as,
// shortcuts, quit with unsaved changes).
#include <imgui.h>
#include <imgui_stdlib.h>
#include <cmath>
#include <cstdio>
#include "app/gui/app.h"
#include "app/gui/follow_run.h"
#include "app/gui/gl.h"
#include "app/gui/keys.h"
#include "app/gui/panels.h"
#include "app/gui/text_wrap.h"
#include "core/export/colormap.h"
#include "core/io/presets.h"
#include "core/version.h"

namespace zs::gui {

void DrawMainMenu(App& app) {
  Model& m = app.model();
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open experiment...", "Ctrl+O")) m.ui.show_open = true;
    // Each of these two serves one scene kind: a greyed item says which (it said nothing).
    if (ImGui::MenuItem("Run sweep...", nullptr, false, !app.llm_mode())) OpenRunSweepDialog(app);
    if (app.llm_mode() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("sweeps run landscapes; a language model's runs compare over seeds (next item)");
    if (ImGui::MenuItem("Compare over seeds...", nullptr, false, app.llm_mode())) OpenCompareDialog(app);
    if (!app.llm_mode() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("compares a Language model scene's runs over seeds; landscapes: Run sweep");
    if (ImGui::MenuItem("Open sweep or comparison...")) m.ui.show_open_sweep = true;
    if (ImGui::MenuItem("Follow run directory...")) OpenFollowRunDialog();  // follow_run.h
    if (ImGui::BeginMenu("Presets")) {
      for (const Preset& p : presets())
        if (ImGui::MenuItem(p.name.c_str())) app.load_experiment("preset:" + p.name);
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Save", "Ctrl+S", false, !m.exp_path.empty())) app.save_experiment(m.exp_path);
    if (ImGui::MenuItem("Save as...", "Ctrl+Shift+S")) m.ui.show_save = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Export...", "Ctrl+E")) m.ui.show_export = true;
    if (ImGui::MenuItem("Window screenshot", "F12"))
      app.request_screenshot(export_path(app, m.ui.export_dir, "screenshot", {".png"}, std::time(nullptr)) + ".png");
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) app.request_quit();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    if (ImGui::MenuItem("Landscape 2-D", "V", !m.ui.view_3d)) m.ui.view_3d = false;
    if (ImGui::MenuItem("Surface 3-D", "V", m.ui.view_3d)) m.ui.view_3d = true;
    ImGui::MenuItem("Probe points", "P", &m.exp.view.show_probes);
    ImGui::MenuItem("Legend", "L", &m.ui.show_legend);
    if (ImGui::MenuItem("Fit view", "F")) {
      for (double& d : m.exp.view.domain) d = 0;
      m.ui.camera = OrbitCamera();
    }
    if (ImGui::BeginMenu("Colormap")) {
      for (const std::string& n : colormap_names())
        if (ImGui::MenuItem(n.c_str(), nullptr, m.exp.view.colormap == n)) m.exp.view.colormap = n;
      ImGui::EndMenu();
    }
    ImGui::Separator();
    ImGui::MenuItem("Tiled layout", nullptr, &m.ui.tiled);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Shortcuts", "F1")) m.ui.show_help = true;
    ImGui::TextDisabled("zoscope %s (%s, %s)", ZOSCOPE_VERSION, app.platform().name(),
                        reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
    ImGui::EndMenu();
  }
  // Right side: the experiment's name and where it lives.
  const std::string where = m.exp.name.empty() ? m.exp.landscape.id : m.exp.name;
  const float w = ImGui::CalcTextSize(where.c_str()).x;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 20, ImGui::GetWindowWidth() - w - 12));
  ImGui::TextDisabled("%s", where.c_str());
  ImGui::EndMainMenuBar();
}

void DrawStatusBar(App& app) {
  const ImGuiIO& io = ImGui::GetIO();
  const float h = ImGui::GetFrameHeight() + 4;
  ImGui::SetNextWindowPos(ImVec2(0, io.DisplaySize.y - h));
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, h));
  const int flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                    ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoFocusOnAppearing;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8, 3));
  if (ImGui::Begin("##status", nullptr, flags)) {
    const Results& r = app.results();
    // Language models train in the background for minutes: their runs' states, not a time.
    if (app.llm_mode() && app.llm()) ImGui::TextDisabled("%s", app.llm()->runs_summary().c_str());
    else if (!r.runs_complete && !r.runs.empty()) ImGui::TextColored(ImVec4(0.95f, 0.8f, 0.4f, 1), "computing...");
    else ImGui::TextDisabled("%zu runs in %.0f ms", r.runs.size(), r.runs_ms);
    app.note_item("status/runs");
    ImGui::SameLine();
    ImGui::TextDisabled("| frame %.1f ms |", app.frame_ms());
    ImGui::SameLine();
    if (!app.settings_problem().empty()) {  // for the whole session: the settings will be lost
      ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.25f, 1), "%s |", app.settings_problem().c_str());
      app.note_item("status/settings");
      ImGui::SameLine();
    }
    if (app.status_is_error()) ImGui::TextColored(kErrorColour, "%s", app.status_text().c_str());
    else ImGui::TextUnformatted(app.status_text().c_str());
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

namespace {

// A modal-less dialog with a path field; `ok` runs when the user confirms.
template <class F>
void path_dialog(const char* title, bool& open, std::string& path, const char* button, F ok) {
  if (!open) return;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.35f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
  if (ImGui::Begin(title, &open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(-80);
    const bool enter = ImGui::InputText("##path", &path, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if ((ImGui::Button(button) || enter) && !path.empty() && ok()) open = false;
  }
  ImGui::End();
}

}  // namespace

std::string window_title(const App& app) {
  const Experiment& e = app.exp();
  const Scene* sc = app.scene();
  std::string t = "zoscope - ";
  t += !e.name.empty() ? e.name : sc ? sc->landscape->info().display : e.landscape.id;
  char buf[96];
  if (sc && sc->start.size() == 2) {
    std::snprintf(buf, sizeof buf, " - start (%.4g, %.4g)", sc->start[0], sc->start[1]);
    t += buf;
  } else if (sc && sc->start.size() > 2) {
    std::snprintf(buf, sizeof buf, " - d = %d, start |x0| = %.4g", static_cast<int>(sc->start.size()), sc->start.norm());
    t += buf;
  }
  if (app.unsaved()) t += " *";
  return t;
}

void DrawDialogs(App& app) {
  Model& m = app.model();
  // Quit with unsaved changes: save (to the experiment's file, or choose one), discard, cancel.
  if (app.quit_asking()) {
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.4f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    bool open = true;
    if (ImGui::Begin("Quit zoscope?", &open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize)) {
      ImGui::TextUnformatted(("The experiment has unsaved changes" + (m.exp_path.empty() ? std::string() : " (" + m.exp_path + ")") + ".").c_str());
      if (ImGui::Button(m.exp_path.empty() ? "Save as..." : "Save and quit")) {
        if (m.exp_path.empty()) {
          app.cancel_quit();
          m.ui.show_save = true;
        } else if (app.save_experiment(m.exp_path)) {
          app.request_quit(true);
        }
      }
      app.note_item("quit/save");
      ImGui::SameLine();
      if (ImGui::Button("Discard and quit")) app.request_quit(true);
      app.note_item("quit/discard");
      ImGui::SameLine();
      if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(kKeyEscape, false)) open = false;
      app.note_item("quit/cancel");
    }
    ImGui::End();
    if (!open) app.cancel_quit();
  }
  static std::string open_path, save_path, sweep_path;
  path_dialog("Open sweep or comparison (a sweep or finetune --seeds folder)", m.ui.show_open_sweep, sweep_path, "Open",
              [&] { return open_sweep(app, sweep_path); });
  if (m.ui.show_open && open_path.empty()) open_path = m.exp_path;
  path_dialog("Open experiment", m.ui.show_open, open_path, "Open", [&] { return app.load_experiment(open_path); });
  if (m.ui.show_open) {
    ImGui::Begin("Open experiment");
    ImGui::TextDisabled("A path to an experiment JSON file, or preset:NAME:");
    for (const Preset& p : presets()) {
      ImGui::SameLine();
      if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(p.name.c_str()).x + 20) ImGui::NewLine();
      if (ImGui::SmallButton(p.name.c_str())) open_path = "preset:" + p.name;
    }
    ImGui::End();
  }
  if (m.ui.show_save && save_path.empty())
    save_path = !m.exp_path.empty() ? m.exp_path : (m.ui.export_dir.empty() ? "." : m.ui.export_dir) + "/experiment.json";
  path_dialog("Save experiment as", m.ui.show_save, save_path, "Save", [&] { return app.save_experiment(save_path); });

  if (m.ui.show_help) {
    ImGui::SetNextWindowSize(ImVec2(430, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("Shortcuts", &m.ui.show_help, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
      static const char* rows[][2] = {
          {"Space", "play / pause (live language-model runs: pause / resume)"},          {"S or Right", "step forward"},    {"Left", "step back"},
          {"R", "reset to step 0"},           {"Home / End", "first / last step"}, {"= / -", "playback speed x2 / /2"},
          {"V", "2-D / 3-D view"},            {"P", "probe points"},             {"L", "legend"},
          {"F", "fit view, reset camera"},    {"Ctrl+S", "save experiment"},     {"Ctrl+Shift+S", "save as"},
          {"Ctrl+O", "open experiment"},      {"Ctrl+E", "export panel"},        {"F12", "window screenshot"},
          {"F1", "this help"},                {"Ctrl+Q", "quit"},                {"Esc", "close a dialog"},
          {"Landscape view", "drag the start marker; drag to pan; wheel to zoom; double-click to fit"},
          {"Surface view", "drag to orbit; wheel to zoom; double-click to reset"},
          {"Plots", "wheel zoom (Shift: x, Ctrl: y); drag pan; right-drag box; double-click fit; click legend"},
          {"Sliders", "Ctrl+click to type a value; right-click for the default"}};
      if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        for (const auto& r : rows) {
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(r[0]);
          ImGui::TableNextColumn();
          ImGui::TextWrapped("%s", r[1]);
        }
        ImGui::EndTable();
      }
    }
    ImGui::End();
  }
}

}  // namespace zs::gui
