// Key codes for shortcuts. Both platform backends use GLFW's key codes as ImGui's native
// key indices (io.KeysDown[], io.KeyMap[] in Dear ImGui 1.86's key API), so the app and
// the tests name keys the same way whatever the backend.
#pragma once
#include <deque>

struct ImGuiIO;

namespace zs::gui {

enum Key : int {
  kKeySpace = 32,
  kKeyApostrophe = 39, kKeyComma = 44, kKeyMinus = 45, kKeyPeriod = 46, kKeySlash = 47,
  kKey0 = 48, kKey1, kKey2, kKey3, kKey4, kKey5, kKey6, kKey7, kKey8, kKey9,
  kKeyEqual = 61,
  kKeyA = 65, kKeyB, kKeyC, kKeyD, kKeyE, kKeyF, kKeyG, kKeyH, kKeyI, kKeyJ, kKeyK, kKeyL, kKeyM,
  kKeyN, kKeyO, kKeyP, kKeyQ, kKeyR, kKeyS, kKeyT, kKeyU, kKeyV, kKeyW, kKeyX, kKeyY, kKeyZ,
  kKeyEscape = 256, kKeyEnter = 257, kKeyTab = 258, kKeyBackspace = 259, kKeyInsert = 260, kKeyDelete = 261,
  kKeyRight = 262, kKeyLeft = 263, kKeyDown = 264, kKeyUp = 265, kKeyPageUp = 266, kKeyPageDown = 267,
  kKeyHome = 268, kKeyEnd = 269,
  kKeyF1 = 290, kKeyF11 = 300, kKeyF12 = 301,
  kKeyKpEnter = 335,
  kKeyLeftShift = 340, kKeyLeftControl = 341, kKeyLeftAlt = 342, kKeyLeftSuper = 343,
  kKeyRightShift = 344, kKeyRightControl = 345, kKeyRightAlt = 346, kKeyRightSuper = 347,
};

// Fills io.KeyMap with the codes above (what imgui_impl_glfw does for a window).
void keymap_install();

// Key and character events in arrival order, handed to Dear ImGui 1.86 a frame at a time.
// 1.86 has no input queue: its GLFW backend writes io.KeysDown[] from the callbacks, so a
// tap whose press and release arrive between two frames (xdotool, a quick finger) is never
// seen down. apply() takes events in order until a key would change a second time this
// frame; that event and all after it wait for the next frame, so every tap is down for one
// frame and characters stay in order with the keys.
class InputQueue {
 public:
  void key(int key, bool down);
  void character(unsigned int c);
  void apply(ImGuiIO& io);
  bool empty() const { return q_.empty(); }

 private:
  struct Event {
    int key;  // -1: a character
    bool down;
    unsigned int ch;
  };
  std::deque<Event> q_;
};

}  // namespace zs::gui
