// Layout at the window sizes a user has (1024 x 700 small, 1280 x 800 the default): the
// controls stay inside their panels instead of being clipped at the edge, combos are wide
// enough for their longest entry, and the legends' "2P, 1 FP + 1 BP/step" notation is
// explained where it is shown.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <string>
#include <tuple>
#include "app/gui/panels.h"
#include "app/gui/plot.h"
#include "app/gui/text_wrap.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

// The right edge of a window's content (inside its padding and scroll bar).
float content_right(const char* window) {
  const ImGuiWindow* w = ImGui::FindWindowByName(window);
  EXPECT_NE(w, nullptr) << window;
  return w ? w->InnerClipRect.Max.x : 0;
}

ImRect rect(App& app, const std::string& item) {
  ImVec2 a, b;
  EXPECT_TRUE(app.item_rect(item, a, b)) << item;
  return ImRect(a, b);
}

}  // namespace

TEST(GuiLayout, ControlsStayInsideTheirPanelsAtSmallAndDefaultSizes) {
  for (const auto& [w, hgt] : {std::pair<int, int>{1024, 700}, {1280, 800}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(hgt));
    Harness h(w, hgt);
    App& app = h.app();
    app.set_budget(true, 400);  // the unit combo shows its longest entry, "forward passes"
    h.settle();
    // Playback: the budget (unit and value) and the cursor are on screen, the unit readable.
    const float pr = content_right("Playback");
    EXPECT_LE(rect(app, "playback/budget").Max.x, pr + 0.5f);
    EXPECT_LE(rect(app, "playback/cursor").Max.x, pr + 0.5f);
    EXPECT_GT(rect(app, "playback/cursor").GetWidth(), ImGui::GetFontSize() * 8);
    EXPECT_GE(rect(app, "playback/unit").GetWidth() + 0.5f, combo_width("forward passes"));
    const ImGuiWindow* pw = ImGui::FindWindowByName("Playback");
    ASSERT_NE(pw, nullptr);
    EXPECT_LE(rect(app, "playback/cursor").Max.y, pw->InnerClipRect.Max.y + 0.5f);
    // Runs: a run's legend and loss at the cursor; Plots: the step-size option.
    const float rr = content_right("Runs");
    EXPECT_LE(rect(app, "runs/0/legend").Max.x, rr + 0.5f);
    EXPECT_LE(rect(app, "runs/0/loss").Max.x, rr + 0.5f);
    EXPECT_LE(rect(app, "plots/alpha_ratio").Max.x, content_right("Plots") + 0.5f);
    EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
  }
}

// A plot title wider than its plot ends in "..." inside the frame (the whole title shows
// on hover) instead of being cut off by the panel's edge; a wide panel shows it whole.
TEST(GuiLayout, PlotTitlesFitTheirPlots) {
  for (const auto& [w, hgt, cut] : {std::tuple<int, int, bool>{1024, 700, true}, {1920, 1080, false}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(hgt));
    Harness h(w, hgt);
    h.settle_plots();
    const plot::PlotState* st = plots_panel_state("alpha");
    ASSERT_NE(st, nullptr);
    const std::string full = "step size alpha_x (solid), alpha_y (faint)";
    if (cut) {
      ASSERT_GE(st->title_drawn.size(), 3u);
      EXPECT_EQ(st->title_drawn.substr(st->title_drawn.size() - 3), "...");
      EXPECT_EQ(full.rfind(st->title_drawn.substr(0, st->title_drawn.size() - 3), 0), 0u) << st->title_drawn;
    } else {
      EXPECT_EQ(st->title_drawn, full);
    }
    EXPECT_LE(ImGui::CalcTextSize(st->title_drawn.c_str()).x, rect(h.app(), "plots/alpha").GetWidth());
  }
}

// The 3-D view at the default size renders the surface left of its colour bar: the bar and
// its labels do not cover the surface or its axis labels (the x axis' tick labels ran
// under the bar).
TEST(GuiLayout, TheSurfaceLeavesItsColourBarAStrip) {
  Harness h(1280, 800);
  App& app = h.app();
  h.show_surface();
  const ImRect view = rect(app, "view/surface");
  const float fs = ImGui::GetFontSize(), bar_left = view.Max.x - 5.6f * fs;  // surface_markup's bar
  EXPECT_LE(static_cast<float>(app.surface_target().width()), bar_left - view.Min.x);
  ASSERT_FALSE(surface_axis_ticks().empty());
  EXPECT_EQ(surface_axis_caption(), "");  // a landscape's axes are x, y and f
  for (const SurfaceAxisTick& t : surface_axis_ticks())
    EXPECT_LT(t.at.x + ImGui::CalcTextSize(t.label.c_str()).x / 2, bar_left) << t.axis << " " << t.label;
}

TEST(GuiLayout, TheLegendNotationIsExplainedOnHover) {
  // A view large enough for the legend to sit in the plot with the memory / FP notes (a
  // smaller one puts the labels alone under the x axis: OneFigure.LegendCollapsesInSmallViews).
  Harness h(1600, 1000);
  App& app = h.app();
  // The parameter count of the scene: 2 on Rosenbrock.
  const std::string help = legend_notation_help(app);
  EXPECT_NE(help.find("units of P, the number of parameters (P = 2 here)"), std::string::npos) << help;
  EXPECT_NE(help.find("forward passes"), std::string::npos) << help;
  // Hovering the view's legend, then a run's legend text in the Runs panel, shows it.
  const auto tooltip_shown = [&] {
    const ImGuiWindow* t = ImGui::FindWindowByName("##Tooltip_00");
    return t && t->Active;
  };
  const fig::Box& lb = app.view_figure().plan.legend_box;
  ASSERT_GT(lb.w, 0);
  const ImRect view = rect(app, "view/landscape");
  const fig::Box& plot = app.view_figure().plan.lay.plot;
  // Screen = the view's plot origin - the plan's plot origin + the plan's coordinates.
  const ImVec2 at(view.Min.x - static_cast<float>(plot.x) + static_cast<float>(lb.x + lb.w / 2),
                  view.Min.y - static_cast<float>(plot.y) + static_cast<float>(lb.y + lb.h / 2));
  h.mouse_move(at);
  h.frame(2);
  EXPECT_TRUE(tooltip_shown());
  h.mouse_move(ImVec2(5, static_cast<float>(1000 - 5)));  // the status bar: no tooltip
  h.frame(2);
  EXPECT_FALSE(tooltip_shown());
  h.mouse_move(h.centre("runs/0/legend"));
  h.frame(2);
  EXPECT_TRUE(tooltip_shown());
}

}  // namespace zs::gui::test
