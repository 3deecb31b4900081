// The View window: tabs for the 2-D landscape view and the 3-D surface view; the model's
// ui.view_3d (V key, View menu, tests) selects the tab.
#include <imgui.h>
#include "app/gui/app.h"
#include "app/gui/panels.h"

namespace zs::gui {

void DrawViewWindow(App& app) {
  layout_place(app, PanelId::View);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(4, 4));
  if (ImGui::Begin("View", nullptr, layout_flags(app, PanelId::View) | ImGuiWindowFlags_NoScrollbar |
                                        ImGuiWindowFlags_NoScrollWithMouse)) {
    Model& m = app.model();
    const int want = m.ui.view_3d ? 1 : 0;
    const bool force = want != m.vi.tab_shown;
    if (ImGui::BeginTabBar("views")) {
      if (ImGui::BeginTabItem("Landscape 2-D", nullptr, force && want == 0 ? ImGuiTabItemFlags_SetSelected : 0)) {
        if (!force) m.ui.view_3d = false;
        m.vi.tab_shown = 0;
        DrawLandscapeView(app);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Surface 3-D", nullptr, force && want == 1 ? ImGuiTabItemFlags_SetSelected : 0)) {
        if (!force) m.ui.view_3d = true;
        m.vi.tab_shown = 1;
        DrawSurfaceView(app);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

}  // namespace zs::gui
