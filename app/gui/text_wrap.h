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

}  // namespace zs::gui
