// Runs panel: add optimizers from the catalog, remove, duplicate, recolour, hide, rename;
// each run shows sliders generated from its optimizer's declarations, its memory (in P,
// explained on hover; a language model's in bytes, measured) and cost per step, and how it
// ended. Runs followed from another process's folder (follow_run.h) are listed above
// them, read-only: a status line each, no sliders.
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include "app/gui/app.h"
#include "app/gui/follow_run.h"
#include "app/gui/overlay.h"
#include "app/gui/panels.h"
#include "app/gui/param_widgets.h"
#include "app/gui/text_wrap.h"
#include "core/opt/optimizer.h"

namespace zs::gui {

namespace {

void optimizer_tooltip(const OptimizerInfo& info) {
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
  ImGui::Text("%s  (%s, %s)", info.display.c_str(), info.id.c_str(), info.family == "zo" ? "zeroth order" : "first order");
  ImGui::Separator();
  ImGui::TextUnformatted(info.help.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void add_combo(App& app) {
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##add", "+ Add optimizer", ImGuiComboFlags_HeightLarge)) {
    for (const OptimizerInfo& info : optimizer_catalog()) {
      const std::string label = info.display + (info.family == "fo" ? "   (first order)" : "");
      if (ImGui::Selectable(label.c_str())) app.run_add(info.id);
      optimizer_tooltip(info);
    }
    ImGui::EndCombo();
  }
  app.note_item("runs/add");
}

// A live language-model run: its state, memory and speed, and pause / resume / stop.
void llm_run_controls(App& app, int i) {
  LlmScene& llm = *app.llm();
  if (llm.run_active(i)) {
    const bool paused = llm.run_paused(i);
    if (ImGui::SmallButton(paused ? "resume" : "pause")) llm.control(i, paused ? LlmControl::Resume : LlmControl::Pause);
    app.note_item("runs/" + std::to_string(i) + "/pause");
    ImGui::SameLine();
    if (ImGui::SmallButton("stop")) llm.control(i, LlmControl::Stop);
    app.note_item("runs/" + std::to_string(i) + "/stop");
    ImGui::SameLine();
  }
  // "done | 7.0 MB optimizer state | 2 FP/step | 1.6 steps/s": a narrow panel breaks the
  // line between the parts, never inside one ("2" / "FP/step").
  const std::string status = llm.run_status(i);
  size_t line_start = 0;
  while (line_start <= status.size()) {
    const size_t line_end = std::min(status.find('\n', line_start), status.size());
    const std::string line = status.substr(line_start, line_end - line_start);
    for (size_t a = 0, part = 0; a <= line.size(); ++part) {
      const size_t b = std::min(line.find(" | ", a), line.size());
      const std::string text = (part ? "| " : "") + line.substr(a, b - a);
      if (part && !same_line_if_fits(ImGui::CalcTextSize(text.c_str()).x)) {
        ImGui::TextDisabled("%s", line.substr(a, b - a).c_str());  // a new line starts without the bar
      } else {
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s", text.c_str());
        ImGui::PopTextWrapPos();
      }
      a = b + 3;
    }
    line_start = line_end + 1;
  }
  app.note_item("runs/" + std::to_string(i) + "/status");
}

}  // namespace

std::string run_pending_text(const App& app, int i) {
  const LlmScene* llm = app.llm_mode() ? app.llm() : nullptr;
  if (!llm) return "computing...";
  // run_status says "not started: ..." when the model did not load (a bad folder, an error).
  if (llm->phase() == "error" || llm->run_status(i).rfind("not started", 0) == 0) return "not started: model failed to load";
  switch (llm_play_state(app)) {
    case LlmPlayState::Running:
    case LlmPlayState::Paused: return "waiting for its first step";
    case LlmPlayState::Finished: return "no steps taken";
    default: return "waiting for the model";  // loading, pretraining, or its loading cancelled
  }
}

namespace {

void run_outcome(App& app, int i) {
  const RunRecord* rec = app.record(i);
  if (!rec) {
    ImGui::TextDisabled("%s", run_pending_text(app, i).c_str());
    app.note_item("runs/" + std::to_string(i) + "/pending");
    return;
  }
  const int k = app.cursor_row(i);
  const StepRow& row = rec->rows[static_cast<size_t>(std::max(0, k))];
  char loss[96];
  std::snprintf(loss, sizeof loss, "loss %.4g at step %lld", row.loss, static_cast<long long>(row.step));
  // A language model's memory is measured, in bytes, on the line above (llm_run_controls).
  if (!app.llm_mode()) {
    ImGui::TextDisabled("%s", rec->legend.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", legend_notation_help(app).c_str());
    app.note_item("runs/" + std::to_string(i) + "/legend");
    if (same_line_if_fits(ImGui::CalcTextSize(loss).x + ImGui::CalcTextSize("|").x + ImGui::GetStyle().ItemSpacing.x)) {
      ImGui::TextDisabled("|");
      ImGui::SameLine();
    }
  }
  ImGui::TextDisabled("%s", loss);
  app.note_item("runs/" + std::to_string(i) + "/loss");
  if (rec->diverged) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.5f, 0.4f, 1));
    text_wrapped_at_spaces("diverged at step " + std::to_string(rec->diverged_step) + ": " + rec->diverge_reason);
    ImGui::PopStyleColor();
  }
}

// The followed runs: where they come from, a line each (step, passes, loss, dev metric,
// and in the Language model scene why a run is not on the plane), and "stop following".
void followed_runs(App& app) {
  const std::string dir = FollowRunDir();
  if (dir.empty()) return;
  ImGui::Separator();
  ImGui::TextUnformatted("Followed (read-only)");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s\nfollowed from its step logs and run records; nothing here controls it", dir.c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("stop following")) StopFollowing(app);
  app.note_item("runs/followed/stop");
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", FollowRunStatus().c_str());
  const std::vector<RunRecord>& runs = app.results().followed;
  for (size_t k = 0; k < runs.size(); ++k) {
    const RunRecord& r = runs[k];
    const StepRow& last = r.rows.back();
    const uint32_t c = r.colour;
    ImGui::ColorButton(("##followed" + std::to_string(k)).c_str(),
                       ImVec4(((c >> 16) & 0xff) / 255.f, ((c >> 8) & 0xff) / 255.f, (c & 0xff) / 255.f, 1),
                       ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoDragDrop);
    ImGui::SameLine();
    double dev = NAN;
    for (const StepRow& row : r.rows)
      if (std::isfinite(row.dev_metric)) dev = row.dev_metric;
    char buf[96];
    std::snprintf(buf, sizeof buf, ": step %lld, %lld FP, loss %.4g", static_cast<long long>(last.step),
                  static_cast<long long>(last.fp), last.loss);
    std::string line = r.label + " (" + r.optimizer + ")" + buf;
    if (std::isfinite(dev)) {
      std::snprintf(buf, sizeof buf, ", dev %.4g", dev);
      line += buf;
    }
    ImGui::TextUnformatted(line.c_str());
    app.note_item("runs/followed/" + r.label);
    const std::string note = app.llm_mode() && app.llm() ? app.llm()->followed_note(static_cast<int>(k)) : "";
    if (!note.empty()) ImGui::TextDisabled("not on the plane: %s", note.c_str());
  }
  ImGui::PopTextWrapPos();
}

}  // namespace

std::string legend_notation_help(const App& app) {
  const std::string p = app.llm_mode() ? "the number of trainable parameters (scene panel)"
                                       : "the number of parameters (P = " + std::to_string(app.exp().landscape.dim) + " here)";
  return "memory of the optimizer's state in units of P, " + p +
         ": 0P keeps nothing per parameter, 2P two values per parameter; \"+ 320B\": plus that many bytes "
         "whatever P is.\nFP / BP per step: forward passes (loss evaluations) and backward passes (gradients) "
         "one step costs.";
}

void DrawRunsPanel(App& app) {
  layout_place(app, PanelId::Runs);
  if (ImGui::Begin("Runs", nullptr, layout_flags(app, PanelId::Runs))) {
    add_combo(app);
    if (!app.limits_error().empty()) {  // the runs were not recomputed: why, in one line
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.5f, 0.4f, 1));
      text_wrapped_at_spaces(app.limits_error());
      ImGui::PopStyleColor();
      app.note_item("runs/limits");
    }
    followed_runs(app);  // first: a folder just followed is seen without scrolling
    Experiment& e = app.exp();
    int remove = -1, duplicate = -1;
    const int n = static_cast<int>(e.runs.size());
    for (int i = 0; i < n; ++i) {
      RunSpec& r = e.runs[static_cast<size_t>(i)];
      const OptimizerInfo* info = optimizer_find(r.optimizer);
      if (!info) continue;
      const std::string item = "runs/" + std::to_string(i) + "/";
      ImGui::PushID(i);
      ImGui::Separator();
      ImGui::Checkbox("##visible", &r.visible);
      app.note_item(item + "visible");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("show / hide");
      ImGui::SameLine();
      float col[3] = {((r.colour >> 16) & 0xff) / 255.f, ((r.colour >> 8) & 0xff) / 255.f, (r.colour & 0xff) / 255.f};
      if (ImGui::ColorEdit3("##colour", col, ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_NoLabel))
        r.colour = (static_cast<uint32_t>(std::lround(col[0] * 255)) << 16) |
                   (static_cast<uint32_t>(std::lround(col[1] * 255)) << 8) | static_cast<uint32_t>(std::lround(col[2] * 255));
      app.note_item(item + "colour");
      ImGui::SameLine();
      const std::string header = r.label + "###run";
      ImGui::SetNextItemOpen(true, ImGuiCond_Once);
      const bool open = ImGui::TreeNodeEx(header.c_str(), ImGuiTreeNodeFlags_SpanAvailWidth);
      optimizer_tooltip(*info);
      if (open) {
        ImGui::PushItemWidth(-ImGui::GetFontSize() * 5.5f);
        ImGui::InputText("label", &r.label);
        if (ImGui::SmallButton("duplicate")) duplicate = i;
        app.note_item(item + "duplicate");
        ImGui::SameLine();
        ImGui::BeginDisabled(n <= 1);
        if (ImGui::SmallButton("remove")) remove = i;
        app.note_item(item + "remove");
        ImGui::EndDisabled();
        ImGui::SameLine();
        // Language models use the LLM-mode defaults of the declarations.
        std::vector<ParamDecl> decls = info->params;
        if (app.llm_mode())
          for (ParamDecl& d : decls)
            if (std::isfinite(d.llm_def)) d.def = d.llm_def;
        if (ImGui::SmallButton("defaults")) {
          r.hp.clear();
          if (app.llm_mode())
            for (const ParamDecl& d : decls) r.hp[d.name] = d.def;
        }
        param_widgets(app, decls, r.hp, item);
        ImGui::PopItemWidth();
        if (app.llm_mode() && app.llm()) llm_run_controls(app, i);
        run_outcome(app, i);
        ImGui::TreePop();
      }
      ImGui::PopID();
    }
    if (duplicate >= 0) app.run_duplicate(duplicate);
    else if (remove >= 0) app.run_remove(remove);
  }
  ImGui::End();
}

}  // namespace zs::gui
