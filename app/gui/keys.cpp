// InputQueue (keys.h): key and character events applied to ImGui 1.86's io in order, at
// most one change per key per frame.
#include "app/gui/keys.h"
#include <imgui.h>
#include <vector>

namespace zs::gui {

void InputQueue::key(int key, bool down) {
  if (key >= 0 && key < IM_ARRAYSIZE(ImGuiIO::KeysDown)) q_.push_back({key, down, 0});
}

void InputQueue::character(unsigned int c) { q_.push_back({-1, false, c}); }

void InputQueue::apply(ImGuiIO& io) {
  std::vector<int> changed;
  while (!q_.empty()) {
    const Event e = q_.front();
    if (e.key >= 0) {
      bool again = false;
      for (int k : changed) again = again || k == e.key;
      if (again) break;  // its second change this frame: next frame
      changed.push_back(e.key);
      io.KeysDown[e.key] = e.down;
    } else {
      io.AddInputCharacter(e.ch);
    }
    q_.pop_front();
  }
  io.KeyCtrl = io.KeysDown[kKeyLeftControl] || io.KeysDown[kKeyRightControl];
  io.KeyShift = io.KeysDown[kKeyLeftShift] || io.KeysDown[kKeyRightShift];
  io.KeyAlt = io.KeysDown[kKeyLeftAlt] || io.KeysDown[kKeyRightAlt];
  io.KeySuper = io.KeysDown[kKeyLeftSuper] || io.KeysDown[kKeyRightSuper];
}

}  // namespace zs::gui
