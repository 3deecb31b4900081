// Word wrapping that breaks lines at spaces only. Dear ImGui's wrapping also breaks after
// '.', ',' and similar, which splits numbers ("1." / "2e+30"); status and divergence
// messages go through this instead.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace zs::gui {

// Lines of `text` no wider than `width` (by `measure`), broken at spaces; a word wider than
// `width` stays whole on its own line.
std::vector<std::string> wrap_at_spaces(const std::string& text, float width, const std::function<float(const std::string&)>& measure);
// ImGui::TextWrapped with breaks at spaces only, in the current text colour.
void text_wrapped_at_spaces(const std::string& text);
// An error line under a form: the app's error colour, wrapped at spaces.
void error_text(const std::string& text);
// "CLI: <command>", wrapped at spaces; a click copies the command (the tooltip says so).
void command_text(const std::string& command);

}  // namespace zs::gui
