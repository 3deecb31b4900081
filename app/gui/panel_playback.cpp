// Playback toolbar: play / pause / step / reset / end, speed, budget (steps or forward
// passes) and the cursor that animates along the precomputed trajectories.
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include "app/gui/app.h"
#include "app/gui/panels.h"
#include "app/gui/text_wrap.h"

namespace zs::gui {

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
    if (ImGui::Button(m.play.playing ? "Pause" : "Play", ImVec2(bw * 1.4f, 0))) app.play_toggle();
    app.note_item("playback/play");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("play / pause (Space)");
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
    ImGui::SliderScalar("##speed", ImGuiDataType_Double, &m.play.speed, &slo, &shi, fp ? "%.0f FP/s" : "%.0f steps/s",
                        ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("playback speed (+ / -)");
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
