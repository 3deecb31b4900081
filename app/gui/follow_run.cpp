// The follow window (see follow_run.h): polls the folder twice a second, never writes.
#include "app/gui/follow_run.h"
#include <imgui.h>
#include <imgui_stdlib.h>
#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include "app/gui/overlay.h"
#include "app/gui/plot.h"
#include "core/io/experiment.h"
#include "core/run/follow.h"

namespace zs::gui {

namespace {

struct FollowState {
  bool dialog = false;
  std::string path;
  std::unique_ptr<RunFollower> follower;
  bool open = false;
  double last_poll = -1;
  uint64_t version = 1;
  bool x_fp = false, log_y = true;
  plot::PlotState loss, dev;
  // Series rebuilt when the follower reports a change.
  struct Series {
    std::vector<double> x, loss, dev_x, dev;
  };
  std::vector<Series> series;
  bool series_fp = false;
};
FollowState g;

void rebuild() {
  const std::vector<RunRecord>& recs = g.follower->records();
  g.series.assign(recs.size(), {});
  g.series_fp = g.x_fp;
  for (size_t i = 0; i < recs.size(); ++i)
    for (const StepRow& r : recs[i].rows) {
      const double x = g.x_fp ? static_cast<double>(r.fp) : static_cast<double>(r.step);
      g.series[i].x.push_back(x);
      g.series[i].loss.push_back(r.loss);
      if (r.dev_metric == r.dev_metric) {
        g.series[i].dev_x.push_back(x);
        g.series[i].dev.push_back(r.dev_metric);
      }
    }
  ++g.version;
}

}  // namespace

void OpenFollowRunDialog() { g.dialog = true; }

void FollowRunDirectory(const char* dir) {
  g.path = dir;
  g.follower = std::make_unique<RunFollower>(g.path);
  g.open = true;
  g.last_poll = -1;
  g.loss = plot::PlotState();
  g.dev = plot::PlotState();
  g.dev.y_fixed = true;
  g.dev.y = {0, 1};
}

std::string FollowRunStatus() { return g.open && g.follower ? g.follower->status() : std::string(); }

void DrawFollowRun(App&) {
  if (g.dialog) {
    ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("Follow run directory", &g.dialog, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
      ImGui::TextDisabled("The --out folder of a zoscope-cli finetune running elsewhere (read-only):");
      if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
      ImGui::SetNextItemWidth(-80);
      const bool enter = ImGui::InputText("##follow_path", &g.path, ImGuiInputTextFlags_EnterReturnsTrue);
      ImGui::SameLine();
      if ((ImGui::Button("Follow") || enter) && !g.path.empty()) {
        FollowRunDirectory(g.path.c_str());
        g.dialog = false;
      }
    }
    ImGui::End();
  }
  if (!g.open || !g.follower) return;
  // Wall time, not ImGui's frame clock (headless frames advance it by 1/60 s each).
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (g.last_poll < 0 || now - g.last_poll > 0.5) {
    g.last_poll = now;
    if (g.follower->poll()) rebuild();
  }
  if (g.series_fp != g.x_fp) rebuild();
  ImGui::SetNextWindowSize(ImVec2(720, 560), ImGuiCond_FirstUseEver);
  const std::string title = "Follow: " + g.follower->dir() + "###follow_run";
  if (ImGui::Begin(title.c_str(), &g.open)) {
    ImGui::TextUnformatted(g.follower->status().c_str());
    ImGui::Checkbox("x: forward passes", &g.x_fp);
    ImGui::SameLine();
    ImGui::Checkbox("log loss", &g.log_y);
    const std::vector<RunRecord>& recs = g.follower->records();
    const char* xl = g.x_fp ? "forward passes" : "step";
    const float h = std::max(120.f, (ImGui::GetContentRegionAvail().y - 8) * 0.6f);
    if (plot::begin("follow_loss", g.loss, ImVec2(0, h), "Loss (step log: the step's minibatch)", xl, false, g.log_y,
                    g.version * 2 + g.log_y)) {
      for (size_t i = 0; i < recs.size() && i < g.series.size(); ++i)
        plot::line(recs[i].label.c_str(), rgb_u32(default_run_colour(static_cast<int>(i))), g.series[i].x.data(),
                   g.series[i].loss.data(), static_cast<int>(g.series[i].x.size()));
      plot::end();
    }
    if (plot::begin("follow_dev", g.dev, ImVec2(0, 0), "Dev metric (evaluations)", xl, false, false, g.version)) {
      for (size_t i = 0; i < recs.size() && i < g.series.size(); ++i)
        plot::line(recs[i].label.c_str(), rgb_u32(default_run_colour(static_cast<int>(i))), g.series[i].dev_x.data(),
                   g.series[i].dev.data(), static_cast<int>(g.series[i].dev.size()));
      plot::end();
    }
  }
  ImGui::End();
  if (!g.open) g.follower.reset();
}

}  // namespace zs::gui
