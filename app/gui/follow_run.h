// File > Follow run directory...: the app follows a fine-tune it did not start (another
// terminal, a cluster with the folder mounted) through its step logs (core/run/follow.h):
// loss and dev metric of every run, live, with the app's plots; read-only.
#pragma once
#include <string>

namespace zs::gui {

class App;

void OpenFollowRunDialog();    // the menu item
void DrawFollowRun(App& app);  // every frame: the folder dialog and the follow window
// Follows `dir` (the dialog's "Follow"; tests).
void FollowRunDirectory(const char* dir);
// The follow window's status line ("" when it is closed): what the last poll saw.
std::string FollowRunStatus();

}  // namespace zs::gui
