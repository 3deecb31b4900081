// Parameter widgets from declarations (see param_widgets.h).
#include "app/gui/param_widgets.h"
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include "app/gui/app.h"

namespace zs::gui {

namespace {

void tooltip(const ParamDecl& d) {
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
  ImGui::TextUnformatted(d.name.c_str());
  ImGui::Separator();
  ImGui::TextUnformatted(d.help.c_str());
  ImGui::TextDisabled("range [%s, %s], default %s%s", param_value_text(d, d.lo).c_str(), param_value_text(d, d.hi).c_str(),
                      param_value_text(d, d.def).c_str(), d.log_scale ? ", log slider" : "");
  ImGui::TextDisabled("Ctrl+click to type a value; right-click to reset");
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

}  // namespace

bool param_widget(App& app, const ParamDecl& d, ParamValues& values, const std::string& item) {
  const auto it = values.find(d.name);
  double v = it != values.end() ? it->second : d.def;
  const double before = v;
  ImGui::PushID(d.name.c_str());
  const char* label = d.name.c_str();
  switch (d.kind) {
    case ParamKind::Real: {
      // ImGui's logarithmic slider needs a range that excludes zero to spread decades evenly.
      const bool log = d.log_scale && d.lo > 0;
      const char* fmt = log || std::fabs(d.hi) < 1e-2 ? "%.3g" : "%.4g";
      ImGui::SliderScalar(label, ImGuiDataType_Double, &v, &d.lo, &d.hi, fmt,
                          (log ? ImGuiSliderFlags_Logarithmic : 0) | ImGuiSliderFlags_AlwaysClamp);
      break;
    }
    case ParamKind::Int: {
      long long iv = std::llround(v), lo = std::llround(d.lo), hi = std::llround(d.hi);
      const bool log = d.log_scale || (lo > 0 && hi / std::max(1LL, lo) > 1000);
      ImGui::SliderScalar(label, ImGuiDataType_S64, &iv, &lo, &hi, "%lld",
                          (log ? ImGuiSliderFlags_Logarithmic : 0) | ImGuiSliderFlags_AlwaysClamp);
      v = static_cast<double>(iv);
      break;
    }
    case ParamKind::Bool: {
      bool b = v != 0;
      ImGui::Checkbox(label, &b);
      v = b ? 1 : 0;
      break;
    }
    case ParamKind::Choice: {
      int c = static_cast<int>(std::llround(v));
      const int n = static_cast<int>(d.choices.size());
      if (ImGui::BeginCombo(label, c >= 0 && c < n ? d.choices[static_cast<size_t>(c)].c_str() : "?")) {
        for (int k = 0; k < n; ++k)
          if (ImGui::Selectable(d.choices[static_cast<size_t>(k)].c_str(), k == c)) c = k;
        ImGui::EndCombo();
      }
      v = c;
      break;
    }
  }
  app.note_item(item);
  tooltip(d);
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) v = d.def;
  ImGui::PopID();
  v = std::clamp(v, d.lo, d.hi);
  if (v == before || !std::isfinite(v)) return false;
  values[d.name] = v;
  return true;
}

bool param_widgets(App& app, const std::vector<ParamDecl>& decls, ParamValues& values, const std::string& item_prefix) {
  bool changed = false;
  for (const ParamDecl& d : decls) changed |= param_widget(app, d, values, item_prefix + d.name);
  return changed;
}

}  // namespace zs::gui
