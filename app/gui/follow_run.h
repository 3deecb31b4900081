// File > Follow run directory...: the app follows a fine-tune it did not start (another
// terminal, a cluster with the folder mounted) through its step logs and run records
// (core/run/follow.h). The runs appear in the main panels like live runs, marked
// "followed" and read-only: loss, step sizes, dev metric and path length in the Plots
// panel, a status line per run in the Runs panel (no sliders), and in the Language model
// scene their trajectories on the current loss plane, replayed from their step logs
// (LlmScene::follow). The folder is never written.
#pragma once
#include <string>

namespace zs::gui {

class App;

void OpenFollowRunDialog();    // the menu item
void DrawFollowRun(App& app);  // every frame: the folder dialog, and polls the folder twice a second
// Follows `dir` (the dialog's "Follow"; tests); the runs reach the app at the next frame.
void FollowRunDirectory(const char* dir);
void StopFollowing(App& app);  // the Runs panel's "stop following"
// What the last poll saw ("" when nothing is followed): "2 runs, mezo step 120, ...".
std::string FollowRunStatus();
std::string FollowRunDir();    // the folder followed ("" when none)

}  // namespace zs::gui
