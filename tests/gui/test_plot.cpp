// The plotting module on a bare ImGui context (no GL needed: draw lists are only built):
// autoscale, log axes, legend toggling by click, wheel zoom and double-click reset,
// decimation keeping the vertex count bounded.
#include <gtest/gtest.h>
#include <imgui.h>
#include <cmath>
#include <vector>
#include "app/gui/plot.h"

namespace zs::gui::test {

namespace {

class PlotFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.f / 60;
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
    io.MousePos = ImVec2(-1, -1);
  }
  void TearDown() override { ImGui::DestroyContext(); }

  // One frame with one 600x300 plot at (20, 20); `series` draws inside it.
  template <class F>
  ImDrawList* frame(plot::PlotState& st, bool y_log, F series) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(800, 600));
    ImGui::Begin("w", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    ImGui::SetCursorScreenPos(ImVec2(20, 20));
    plot::begin("p", st, ImVec2(600, 300), "title", "x", false, y_log);
    series();
    plot::end();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImGui::End();
    ImGui::Render();
    return dl;
  }
};

}  // namespace

TEST_F(PlotFixture, AutoscaleCoversTheDataAndLogAxesMapDecadesEvenly) {
  std::vector<double> x{0, 1, 2, 3, 4}, y{1, 10, 100, 1000, 10000};
  plot::PlotState st;
  for (int k = 0; k < 2; ++k) frame(st, true, [&] { plot::line("a", IM_COL32(255, 0, 0, 255), x.data(), y.data(), 5); });
  EXPECT_DOUBLE_EQ(st.x.lo, 0);
  EXPECT_DOUBLE_EQ(st.x.hi, 4);
  EXPECT_LT(st.y.lo, 1);
  EXPECT_GT(st.y.hi, 10000);
  ImVec2 p1, p10, p100;
  frame(st, true, [&] {
    p1 = plot::to_screen(0, 1);
    p10 = plot::to_screen(0, 10);
    p100 = plot::to_screen(0, 100);
  });
  EXPECT_NEAR(p1.y - p10.y, p10.y - p100.y, 1e-3);
  EXPECT_GT(p1.y, p10.y);
}

TEST_F(PlotFixture, LegendClickTogglesSeriesAndHiddenSeriesLeaveTheAutoscale) {
  std::vector<double> x{0, 1}, ya{0, 1}, yb{0, 100};
  plot::PlotState st;
  const auto draw = [&] {
    plot::line("a", IM_COL32(255, 0, 0, 255), x.data(), ya.data(), 2);
    plot::line("b", IM_COL32(0, 255, 0, 255), x.data(), yb.data(), 2);
  };
  for (int k = 0; k < 2; ++k) frame(st, false, draw);
  EXPECT_GT(st.y.hi, 100);
  // Second legend row ("b"), top right of the plot area (layout constants of plot.cpp).
  const float fs = ImGui::GetFontSize(), pad = fs * 0.35f, lh = fs * 1.15f;
  const ImVec2 at(20 + 600 - 0.6f * fs - pad - 8, 20 + 1.5f * fs + 2 * pad + 1.5f * lh);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = at;
  frame(st, false, draw);
  io.MouseDown[0] = true;
  frame(st, false, draw);
  io.MouseDown[0] = false;
  frame(st, false, draw);
  ASSERT_EQ(st.hidden.count("b"), 1u);
  EXPECT_EQ(st.hidden.count("a"), 0u);
  io.MousePos = ImVec2(-1, -1);
  for (int k = 0; k < 2; ++k) frame(st, false, draw);
  EXPECT_LT(st.y.hi, 2);  // autoscale now follows "a" only
}

TEST_F(PlotFixture, WheelZoomsAndDoubleClickRestoresAutoscale) {
  std::vector<double> x{0, 10}, y{0, 10};
  plot::PlotState st;
  const auto draw = [&] { plot::line("a", IM_COL32(255, 0, 0, 255), x.data(), y.data(), 2); };
  for (int k = 0; k < 2; ++k) frame(st, false, draw);
  const double w0 = st.x.hi - st.x.lo;
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(300, 150);
  io.MouseWheel = 3;
  frame(st, false, draw);
  EXPECT_FALSE(st.auto_fit);
  EXPECT_LT(st.x.hi - st.x.lo, 0.7 * w0);
  for (int k = 0; k < 2; ++k) {
    io.MouseDown[0] = true;
    frame(st, false, draw);
    io.MouseDown[0] = false;
    frame(st, false, draw);
  }
  frame(st, false, draw);
  EXPECT_TRUE(st.auto_fit);
  EXPECT_DOUBLE_EQ(st.x.hi - st.x.lo, w0);
}

TEST_F(PlotFixture, DecimationBoundsTheVertexCount) {
  const int n = 200000;
  std::vector<double> x(n), y(n);
  for (int i = 0; i < n; ++i) {
    x[i] = i;
    y[i] = std::sin(i * 0.37) + (i % 7);
  }
  plot::PlotState st;
  ImDrawList* dl = nullptr;
  for (int k = 0; k < 2; ++k) dl = frame(st, false, [&] { plot::line("a", IM_COL32(255, 0, 0, 255), x.data(), y.data(), n); });
  // About four points per pixel column for a ~550 px wide plot, a few vertices each.
  EXPECT_LT(dl->VtxBuffer.Size, 60000);
  EXPECT_GT(dl->VtxBuffer.Size, 1000);
}

}  // namespace zs::gui::test
