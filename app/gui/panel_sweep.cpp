// File > Open sweep...: the folder written by `zoscope-cli sweep --out DIR` shown in a
// window of its own: the sweep's figures (drawn by core's exporter from sweep.csv, exactly
// the CLI's sweep.png / sweep_fp.png) and its table. experiment.json beside sweep.csv, when
// present, gives run colours, which runs a parameter applies to, the name and the target.
#include <imgui.h>
#include <cmath>
#include <filesystem>
#include <memory>
#include "app/gui/app.h"
#include "app/gui/gl.h"
#include "app/gui/gl_util.h"
#include "app/gui/panels.h"
#include "core/export/heat_chart.h"
#include "core/export/line_chart.h"
#include "core/util/error.h"

namespace zs::gui {

namespace {

struct SweepWindow {
  SweepView view;
  std::vector<GlTexture> textures;  // one per figure, in the GL context of App `instance`
  uint64_t instance = 0;
  bool open = false;
};
// The window of `app` (another App, e.g. a later test's, finds it closed: the textures of
// the old one's context are forgotten, not deleted in this one).
SweepWindow& sweep_window(const App& app) {
  static SweepWindow w;
  if (w.instance != app.instance()) {
    for (GlTexture& t : w.textures) t.release();
    w = SweepWindow();
    w.instance = app.instance();
  }
  return w;
}

GlTexture upload(const Image& img) {
  GlTexture t = gl_texture_new();
  glBindTexture(GL_TEXTURE_2D, t.id());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img.w, img.h, 0, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  glBindTexture(GL_TEXTURE_2D, 0);
  return t;
}

}  // namespace

SweepView sweep_view_load(const std::string& dir, int w, int h) {
  namespace fs = std::filesystem;
  SweepView v;
  v.dir = dir;
  v.result = sweep_csv_read((fs::path(dir) / "sweep.csv").string());
  const std::string exp = (fs::path(dir) / "experiment.json").string();
  std::error_code ec;
  if (fs::exists(exp, ec)) {
    v.base = experiment_load(exp);
    v.result.target = v.base.target_loss;
  } else {
    v.base.name = fs::path(dir).filename().string();
  }
  if (v.result.params.size() == 2) {
    v.titles.push_back("final loss");
    v.figures.push_back(heat_chart_render_image(sweep_heat_chart(v.result, v.base, SweepMetric::final_loss), w, h));
    if (std::isfinite(v.result.target)) {
      v.titles.push_back("FP to target");
      v.figures.push_back(heat_chart_render_image(sweep_heat_chart(v.result, v.base, SweepMetric::fp_to_target), w, h));
    }
  } else {
    v.titles.push_back("final loss");
    v.figures.push_back(chart_render_image(sweep_chart(v.result, v.base), w, h));
  }
  v.table = sweep_table_rows(v.result);
  return v;
}

bool open_sweep(App& app, const std::string& dir, std::string* error) {
  try {
    SweepView v = sweep_view_load(dir, 1600, 1000);
    SweepWindow& w = sweep_window(app);
    w.textures.clear();
    for (const Image& img : v.figures) w.textures.push_back(upload(img));
    w.view = std::move(v);
    w.open = true;
    app.status("opened sweep " + dir);
    return true;
  } catch (const std::exception& e) {
    const std::string line = error_line(e);
    if (error) *error = line;
    app.status("cannot open sweep: " + line, true);
    return false;
  }
}

const SweepView* open_sweep_view(const App& app) {
  const SweepWindow& w = sweep_window(app);
  return w.open ? &w.view : nullptr;
}

void DrawSweepWindow(App& app) {
  SweepWindow& w = sweep_window(app);
  if (!w.open) return;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x * 0.7f, io.DisplaySize.y * 0.75f), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::Begin(("Sweep: " + w.view.dir + "###sweep").c_str(), &w.open, ImGuiWindowFlags_NoCollapse)) {
    app.note_item("sweep/window");
    if (ImGui::BeginTabBar("sweep_tabs")) {
      for (size_t i = 0; i < w.view.figures.size(); ++i) {
        if (!ImGui::BeginTabItem(w.view.titles[i].c_str())) continue;
        // The figure scaled to the window, aspect kept.
        const Image& img = w.view.figures[i];
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        const float s = std::max(0.05f, std::min(avail.x / static_cast<float>(img.w), avail.y / static_cast<float>(img.h)));
        ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(w.textures[i].id())),
                     ImVec2(static_cast<float>(img.w) * s, static_cast<float>(img.h) * s));
        app.note_item("sweep/figure");
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("table")) {
        const auto& rows = w.view.table;
        const int cols = static_cast<int>(rows[0].size());
        if (ImGui::BeginTable("sweep_table", cols, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Borders |
                                                        ImGuiTableFlags_SizingFixedFit)) {
          ImGui::TableSetupScrollFreeze(0, 1);
          for (const std::string& h : rows[0]) ImGui::TableSetupColumn(h.c_str());
          ImGui::TableHeadersRow();
          for (size_t r = 1; r < rows.size(); ++r) {
            ImGui::TableNextRow();
            for (const std::string& cell : rows[r]) {
              ImGui::TableNextColumn();
              ImGui::TextUnformatted(cell.c_str());
            }
          }
          ImGui::EndTable();
        }
        app.note_item("sweep/table");
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
}

}  // namespace zs::gui
