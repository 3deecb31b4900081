// Playback toolbar: play / pause / step / reset / end, speed, budget (steps or forward
// passes) and the cursor that animates along the precomputed trajectories.
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include "app/gui/app.h"
#include "app/gui/llm_scene.h"
#include "app/gui/panels.h"
#include "app/gui/text_wrap.h"

namespace zs::gui {

LlmPlayState llm_play_state(const App& app) {
  const LlmScene* llm = app.llm();
  if (!app.model().llm || !llm) return LlmPlayState::None;
  const int n = static_cast<int>(app.exp().runs.size());
  bool active = false;
  for (int i = 0; i < n; ++i) {
    if (llm->run_active(i) && !llm->run_paused(i)) return LlmPlayState::Running;
    active = active || llm->run_active(i);
  }
  if (active) return LlmPlayState::Paused;
  return llm->phase() == "done" ? LlmPlayState::Finished : LlmPlayState::NotStarted;
}

void DrawPlaybackPanel(App& app) {
  layout_place(app, PanelId::Playback);
  if (ImGui::Begin("Playback", nullptr, layout_flags(app, PanelId::Playback))) {
    Model& m = app.model();
    Experiment& e = m.exp;
    const float bw = ImGui::GetFrameHeight() * 2.2f;
    if (ImGui::Button("|<", ImVec2(bw, 0))) app.reset_playback();
    app.note_item("playback/reset");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("reset to step 0 (R)");
    ImGui::SameLine();
    // Language models train live: the button pauses and resumes the runs, so it names
    // what it does to them (it said "Play" while they trained), and with every run
    // finished it has nothing to do.
    const LlmPlayState llm_play = m.llm ? llm_play_state(app) : LlmPlayState::None;
    const bool playing = m.llm ? llm_play == LlmPlayState::Running : m.play.playing;
    ImGui::BeginDisabled(m.llm && llm_play != LlmPlayState::Running && llm_play != LlmPlayState::Paused);
    if (ImGui::Button(playing ? "Pause" : "Play", ImVec2(bw * 1.4f, 0))) app.play_toggle();
    ImGui::EndDisabled();
    app.note_item("playback/play");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("%s", llm_play == LlmPlayState::Finished ? "every run has finished; move a run's slider to train it again"
                              : llm_play == LlmPlayState::NotStarted ? "the runs have not started (the Scene panel says why)"
                              : m.llm ? "pause / resume every run's training (Space)"
                                      : "play / pause (Space)");
    ImGui::SameLine();
    if (ImGui::Button(">|", ImVec2(bw, 0))) app.step_once();
    app.note_item("playback/step");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one step (S or Right)");
    ImGui::SameLine();
    if (ImGui::Button(">>|", ImVec2(bw, 0))) {
      m.play.playing = false;
      m.play.cursor = app.cursor_extent();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("end of the budget (End)");
    ImGui::SameLine();
    const double slo = 1, shi = 1e6;
    // The budget (label, unit combo wide enough for "forward passes", value) follows the
    // speed slider; in a window too narrow for both it starts the cursor's row instead.
    static const char* units[] = {"steps", "forward passes"};
    const float fs = ImGui::GetFontSize(), sp = ImGui::GetStyle().ItemSpacing.x;
    const float unit_w = combo_width(units[1]), budget_w = fs * 6;
    const float budget_group_w = ImGui::CalcTextSize("budget").x + unit_w + budget_w + 2 * sp;
    const float avail = ImGui::GetContentRegionAvail().x;
    const bool budget_first_row = avail >= fs * 6 + sp + budget_group_w;
    ImGui::SetNextItemWidth(std::clamp(budget_first_row ? avail - sp - budget_group_w : avail, fs * 4, fs * 9));
    const bool fp = e.max_fp > 0;
    // Language-model runs are not replayed: the views follow the training as it goes.
    ImGui::BeginDisabled(m.llm);
    ImGui::SliderScalar("##speed", ImGuiDataType_Double, &m.play.speed, &slo, &shi, fp ? "%.0f FP/s" : "%.0f steps/s",
                        ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    ImGui::EndDisabled();
    app.note_item("playback/speed");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("%s", m.llm ? "language-model runs play as fast as they train; drag the step slider to look back"
                                    : "playback speed (+ / -)");
    if (budget_first_row) ImGui::SameLine();
    ImGui::TextDisabled("budget");
    ImGui::SameLine();
    int unit = fp ? 1 : 0;
    ImGui::SetNextItemWidth(unit_w);
    const bool unit_changed = ImGui::Combo("##unit", &unit, units, 2);
    app.note_item("playback/unit");
    if (unit_changed && (unit == 1) != fp) {
      // Keep the same amount of work: FP = steps x the most common 2 FP per step.
      const int64_t v = fp ? std::max<int64_t>(1, e.max_fp / 2) : e.max_steps * 2;
      app.set_budget(unit == 1, v);
    }
    ImGui::SameLine();
    static long long edit = 0;
    static bool editing = false;
    if (!editing) edit = fp ? e.max_fp : e.max_steps;
    ImGui::SetNextItemWidth(budget_w);
    ImGui::InputScalar("##budget", ImGuiDataType_S64, &edit, nullptr, nullptr, "%lld");
    editing = ImGui::IsItemActive();
    app.note_item("playback/budget");
    // Applied when the field is left, not on every keystroke (each value is a recompute).
    if (ImGui::IsItemDeactivatedAfterEdit()) app.set_budget(fp, edit);
    if (!budget_first_row) ImGui::SameLine();

    const double extent = app.cursor_extent();
    ImGui::SetNextItemWidth(-1);
    const double zero = 0;
    char fmt[64];
    std::snprintf(fmt, sizeof fmt, "%s %%.0f / %.0f", fp ? "FP" : "step", extent);
    if (ImGui::SliderScalar("##cursor", ImGuiDataType_Double, &m.play.cursor, &zero, &extent, fmt, ImGuiSliderFlags_AlwaysClamp))
      m.play.playing = false;
    app.note_item("playback/cursor");
  }
  ImGui::End();
}

}  // namespace zs::gui
