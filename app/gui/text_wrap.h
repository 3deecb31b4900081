// Word wrapping that breaks lines at spaces only, and items that flow to the next line
// when the window is too narrow for them. Dear ImGui's wrapping also breaks after
// '.', ',' and similar, which splits numbers ("1." / "2e+30"); status and divergence
// messages go through this instead.
#pragma once
#include <imgui.h>
#include <functional>
#include <string>
#include <vector>

namespace zs::gui {

// Lines of `text` no wider than `width` (by `measure`), broken at spaces; a word wider than
// `width` stays whole on its own line.
std::vector<std::string> wrap_at_spaces(const std::string& text, float width, const std::function<float(const std::string&)>& measure);
// ImGui::TextWrapped with breaks at spaces only, in the current text colour.
void text_wrapped_at_spaces(const std::string& text);
// ImGui::SameLine() when the next item, `width` pixels wide, still fits before the window's
// right edge; otherwise the next item starts a line of its own instead of being clipped.
// True when it stays on the line.
bool same_line_if_fits(float width);
// Width of a widget with a text label: a check box or radio button, or a combo whose
// preview is `text` (frame padding and arrow included).
float checkbox_width(const char* label);
float combo_width(const char* text);
// The app's colour for error text (status bar, form errors).
inline const ImVec4 kErrorColour(1, 0.45f, 0.4f, 1);
// An error line under a form: the app's error colour, wrapped at spaces.
void error_text(const std::string& text);
// "CLI: <command>", wrapped at spaces; a click copies the command (the tooltip says so).
void command_text(const std::string& command);

}  // namespace zs::gui
