// Following a run folder (see follow_run.h): polls it twice a second, never writes; the
// rows go to the app (App::set_followed) and, in the Language model scene, the step logs
// to the trainer's replay onto the plane.
#include "app/gui/follow_run.h"
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include "app/gui/app.h"
#include "app/gui/keys.h"
#include "core/io/experiment.h"
#include "core/run/follow.h"

namespace zs::gui {

namespace {

struct FollowState {
  bool dialog = false;
  std::string path;
  std::unique_ptr<RunFollower> follower;
  bool fresh = false;     // a new folder: hand its (empty) rows to the app at once
  double last_poll = -1;
  bool sent_llm = false;  // the LLM scene has the current step logs
};
FollowState g;

// Colours the experiment's runs do not use, in palette order.
void colour(std::vector<RunRecord>& recs, const App& app) {
  int k = 0;
  for (RunRecord& r : recs) {
    const auto used = [&](uint32_t c) {
      return std::any_of(app.exp().runs.begin(), app.exp().runs.end(), [&](const RunSpec& s) { return s.colour == c; });
    };
    while (k < 64 && used(default_run_colour(k))) ++k;
    r.colour = default_run_colour(k++);
  }
}

}  // namespace

void OpenFollowRunDialog() { g.dialog = true; }

void FollowRunDirectory(const char* dir) {
  g.path = dir;
  g.follower = std::make_unique<RunFollower>(g.path);
  g.fresh = true;
  g.last_poll = -1;
  g.sent_llm = false;
}

void StopFollowing(App& app) {
  g.follower.reset();
  app.set_followed({});
  if (app.llm()) app.llm()->follow("", {}, {});
  g.sent_llm = false;
}

std::string FollowRunStatus() { return g.follower ? g.follower->status() : std::string(); }
std::string FollowRunDir() { return g.follower ? g.follower->dir() : std::string(); }

void DrawFollowRun(App& app) {
  if (g.dialog) {
    ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("Follow run directory", &g.dialog, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
      app.note_item("follow/window");
      if (ImGui::IsKeyPressed(kKeyEscape, false)) g.dialog = false;  // as the app's other dialogs
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
  if (!g.follower) return;
  // Wall time, not ImGui's frame clock (headless frames advance it by 1/60 s each).
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  bool changed = g.fresh;
  if (g.last_poll < 0 || now - g.last_poll > 0.5) {
    g.last_poll = now;
    changed |= g.follower->poll();
  }
  g.fresh = false;
  if (changed) {
    std::vector<RunRecord> recs = g.follower->records();
    colour(recs, app);
    app.set_followed(std::move(recs));
  }
  // The LLM scene replays the logs onto its plane; sent again after a switch into it.
  const bool llm = app.llm_mode() && app.llm();
  if (llm && (changed || !g.sent_llm)) app.llm()->follow(g.follower->spec_path(), g.follower->records(), g.follower->logs());
  g.sent_llm = llm;
}

}  // namespace zs::gui
