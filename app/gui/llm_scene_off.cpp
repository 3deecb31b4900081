// The app built without LibTorch: no LLM scene (see llm_scene.h).
#include "app/gui/llm_scene.h"

namespace zs::gui {

std::unique_ptr<LlmScene> llm_scene_create() { return nullptr; }

const char* llm_support_note() {
  return "built without LLM support: LibTorch was not found when zoscope was built (run scripts/setup.sh, then rebuild)";
}

}  // namespace zs::gui
