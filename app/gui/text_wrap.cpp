// Wrapping at spaces only (text_wrap.h).
#include "app/gui/text_wrap.h"
#include <imgui.h>
#include <algorithm>

namespace zs::gui {

std::vector<std::string> wrap_at_spaces(const std::string& text, float width, const std::function<float(const std::string&)>& measure) {
  std::vector<std::string> lines;
  std::string line;
  size_t i = 0;
  while (i < text.size()) {
    const size_t j = std::min(text.find(' ', i), text.size());
    const std::string word = text.substr(i, j - i);
    i = j + 1;
    if (word.empty()) continue;
    const std::string joined = line.empty() ? word : line + " " + word;
    if (!line.empty() && measure(joined) > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = joined;
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

void text_wrapped_at_spaces(const std::string& text) {
  const float w = std::max(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 4);
  for (const std::string& l : wrap_at_spaces(text, w, [](const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; }))
    ImGui::TextUnformatted(l.c_str());
}

bool same_line_if_fits(float width) {
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + spacing + width > right) return false;
  ImGui::SameLine();
  return true;
}

float checkbox_width(const char* label) {
  const ImGuiStyle& st = ImGui::GetStyle();
  return ImGui::GetFrameHeight() + st.ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
}

float combo_width(const char* text) {
  return ImGui::CalcTextSize(text, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x + ImGui::GetFrameHeight();
}

void error_text(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
  text_wrapped_at_spaces(text);
  ImGui::PopStyleColor();
}

void command_text(const std::string& command) {
  ImGui::TextDisabled("CLI:");
  ImGui::SameLine();
  ImGui::BeginGroup();
  text_wrapped_at_spaces(command);
  ImGui::EndGroup();
  if (ImGui::IsItemClicked()) ImGui::SetClipboardText(command.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("click to copy");
}

}  // namespace zs::gui
