// Exports: the GPU view at 3840x2160 through the offscreen framebuffer (independent of
// the 1280x800 window), core's PNG + SVG figure (one <path> per visible run in well-formed
// XML), CSV / JSONL, a run directory, the window screenshot, and the experiment JSON
// round trip (save -> load gives the same experiment_hash).
#include <gtest/gtest.h>
#include <imgui_internal.h>
#include <stb/stb_image.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include "app/gui/overlay.h"
#include "app/gui/panels.h"
#include "core/export/ticks.h"
#include "core/export/colormap.h"
#include "core/export/line_chart.h"
#include "core/export/panels.h"
#include "core/io/presets.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

struct Png {
  int w = 0, h = 0;
  std::vector<uint8_t> rgb;
  uint32_t at(int x, int y) const {
    const uint8_t* p = rgb.data() + (static_cast<size_t>(y) * w + x) * 3;
    return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
  }
};

Png png_read(const std::string& path) {
  Png p;
  int n = 0;
  unsigned char* d = stbi_load(path.c_str(), &p.w, &p.h, &n, 3);
  if (!d) {
    ADD_FAILURE() << path << ": not a readable PNG";
    return p;
  }
  p.rgb.assign(d, d + static_cast<size_t>(p.w) * p.h * 3);
  stbi_image_free(d);
  return p;
}

// A small XML well-formedness check: balanced and properly nested elements, quoted
// attributes, no stray '<' or '&' in text. Counts elements named `count_name`.
bool xml_well_formed(const std::string& s, const std::string& count_name, int& count, std::string& why) {
  std::vector<std::string> stack;
  count = 0;
  size_t i = 0;
  bool root_seen = false;
  while (i < s.size()) {
    if (s[i] == '&') {
      const size_t semi = s.find(';', i);
      const std::string ent = semi == std::string::npos ? "" : s.substr(i, semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;" && ent.rfind("&#", 0) != 0) {
        why = "bad entity at " + std::to_string(i);
        return false;
      }
      i = semi + 1;
      continue;
    }
    if (s[i] != '<') {
      ++i;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      const size_t e = s.find("-->", i);
      if (e == std::string::npos) return (why = "unterminated comment", false);
      i = e + 3;
      continue;
    }
    if (s.compare(i, 2, "<?") == 0 || s.compare(i, 2, "<!") == 0) {
      const size_t e = s.find('>', i);
      if (e == std::string::npos) return (why = "unterminated declaration", false);
      i = e + 1;
      continue;
    }
    // A tag: scan to '>' outside quotes.
    size_t j = i + 1;
    char quote = 0;
    for (; j < s.size(); ++j) {
      if (quote) {
        if (s[j] == quote) quote = 0;
        else if (s[j] == '<') return (why = "'<' inside an attribute at " + std::to_string(j), false);
      } else if (s[j] == '"' || s[j] == '\'') {
        quote = s[j];
      } else if (s[j] == '>') {
        break;
      }
    }
    if (j >= s.size()) return (why = "unterminated tag at " + std::to_string(i), false);
    std::string tag = s.substr(i + 1, j - i - 1);
    i = j + 1;
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool empty = !tag.empty() && tag.back() == '/';
    std::string name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" \t\n/"));
    if (name.empty()) return (why = "empty tag name", false);
    if (closing) {
      if (stack.empty() || stack.back() != name) return (why = "mismatched </" + name + ">", false);
      stack.pop_back();
      continue;
    }
    if (stack.empty()) {
      if (root_seen) return (why = "two root elements", false);
      root_seen = true;
    }
    if (name == count_name) ++count;
    if (!empty) stack.push_back(name);
  }
  if (!stack.empty()) return (why = "unclosed <" + stack.back() + ">", false);
  return root_seen ? true : (why = "no root element", false);
}

size_t count_lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST(GuiExport, ViewPngAtAnyResolutionThroughTheOffscreenFramebuffer) {
  Harness h(1280, 800);
  App& app = h.app();
  const std::string path = out_path("view_3840x2160.png");
  std::filesystem::remove(path);
  app.export_view_png(path, 3840, 2160);
  ASSERT_TRUE(app.wait_tasks(120));
  EXPECT_FALSE(app.status_is_error()) << app.status_text();
  const Png p = png_read(path);
  ASSERT_EQ(p.w, 3840);
  ASSERT_EQ(p.h, 2160);
  // White page outside the plot, colormap colours inside.
  EXPECT_EQ(p.at(4, 4), 0xffffffu);
  const std::string& cmap = app.exp().view.colormap;
  int coloured = 0, all = 0;
  for (int y = p.h / 4; y < 3 * p.h / 4; y += 17)
    for (int x = p.w / 3; x < 2 * p.w / 3; x += 17) {
      ++all;
      for (int k = 0; k <= 32; ++k) {
        const uint32_t c = colormap_rgb(cmap, k / 32.0), v = p.at(x, y);
        if (std::abs(static_cast<int>(c >> 16) - static_cast<int>(v >> 16)) +
                std::abs(static_cast<int>((c >> 8) & 0xff) - static_cast<int>((v >> 8) & 0xff)) +
                std::abs(static_cast<int>(c & 0xff) - static_cast<int>(v & 0xff)) < 40) {
          ++coloured;
          break;
        }
      }
    }
  EXPECT_GT(static_cast<double>(coloured) / all, 0.6);
  // Requested from inside a frame (the export panel's button), it renders after the frame.
  const std::string path2 = out_path("view_800x600.png");
  app.model().ui.show_export = true;
  h.frame();
  std::filesystem::remove_all(out_path("panel"));
  app.model().ui.export_dir = out_path("panel");
  app.model().ui.export_w = 800;
  app.model().ui.export_h = 600;
  h.frame();
  h.click(h.centre("export/view_png"));
  ASSERT_TRUE(app.wait_tasks(60));
  // Named after the experiment and the time; a second export never overwrites the first.
  h.click(h.centre("export/view_png"));
  ASSERT_TRUE(app.wait_tasks(60));
  std::vector<std::string> names;
  for (const auto& f : std::filesystem::directory_iterator(out_path("panel"))) names.push_back(f.path().filename().string());
  std::sort(names.begin(), names.end());
  ASSERT_EQ(names.size(), 2u);
  for (const std::string& n : names) {
    EXPECT_EQ(n.rfind("rosenbrock-from-1-2-1-eight-optimizers-", 0), 0u) << n;
    EXPECT_NE(n.find("-view"), std::string::npos) << n;
  }
  const Png q = png_read(out_path("panel/" + names[0]));
  EXPECT_EQ(q.w, 800);
  EXPECT_EQ(q.h, 600);
  app.export_view_png(path2, 8, 8);  // too small: an error line, no crash
  EXPECT_TRUE(app.status_is_error());
}

TEST(GuiExport, FigureSvgHasOnePathPerVisibleRunAndPngHasTheRequestedSize) {
  Harness h(1280, 800);
  App& app = h.app();
  app.exp().runs[2].visible = false;
  app.exp().runs[5].visible = false;
  h.frame();
  const std::string png = out_path("figure.png"), svg = out_path("figure.svg");
  app.export_figure(png, svg, 1600, 1200);
  ASSERT_TRUE(app.wait_tasks(120));
  EXPECT_FALSE(app.status_is_error()) << app.status_text();
  const Png p = png_read(png);
  EXPECT_EQ(p.w, 1600);
  EXPECT_EQ(p.h, 1200);
  const std::string text = read_file(svg);
  int paths = 0;
  std::string why;
  EXPECT_TRUE(xml_well_formed(text, "path", paths, why)) << why;
  EXPECT_EQ(paths, static_cast<int>(app.exp().runs.size()) - 2);
  // The checker itself rejects broken documents.
  int dummy = 0;
  EXPECT_FALSE(xml_well_formed("<svg><path d=\"M0 0\"></svg>", "path", dummy, why));
  EXPECT_FALSE(xml_well_formed("<svg>a & b</svg>", "path", dummy, why));
}

// The multi-panel export (issue 10 item 4): the landscape on the left half and the Plots
// panel's four charts 2 x 2 on the right, in one PNG and one SVG; each panel is pixel for
// pixel the figure or chart exported alone at its size; a size too small for the panels is
// one error line.
TEST(GuiExport, LandscapeAndPlotsInOneFigureEachPanelAsExportedAlone) {
  Harness h(1280, 800);
  App& app = h.app();
  h.settle_plots();
  const int W = 1600, H = 900;
  const std::string png = out_path("panels.png"), svg = out_path("panels.svg"), alone = out_path("panels_landscape.png");
  const std::vector<LineChart> charts = plots_panel_figure_charts(app);
  ASSERT_EQ(charts.size(), 4u);
  app.export_figure(png, svg, W, H, charts);
  app.export_figure(alone, "", W / 2, H);  // the landscape alone at its panel's size
  ASSERT_TRUE(app.wait_tasks(180));
  EXPECT_FALSE(app.status_is_error()) << app.status_text();
  const Png p = png_read(png), a = png_read(alone);
  ASSERT_EQ(p.w, W);
  ASSERT_EQ(p.h, H);
  ASSERT_EQ(a.w, W / 2);
  const auto region_equal = [&](const Png& whole, int x0, int y0, const Png& part) {
    size_t same = 0;
    for (int y = 0; y < part.h; ++y)
      for (int x = 0; x < part.w; ++x) same += whole.at(x0 + x, y0 + y) == part.at(x, y);
    return static_cast<double>(same) / (static_cast<double>(part.w) * part.h);
  };
  EXPECT_EQ(region_equal(p, 0, 0, a), 1.0);  // the landscape panel is the single export
  const PanelsLayout L = panels_layout(W, H, 4);
  for (size_t i = 0; i < 4; ++i) {  // each chart panel is chart_render_image at its box
    const PanelBox& b = L.charts[i];
    const std::string one = out_path("panels_chart" + std::to_string(i) + ".png");
    LineChart c = charts[i];
    c.style_scale = panels_chart_style_scale(W, H);
    png_write(one, chart_render_image(c, b.w, b.h));
    EXPECT_EQ(region_equal(p, b.x, b.y, png_read(one)), 1.0) << i;
  }
  const std::string text = read_file(svg);
  int paths = 0;
  std::string why;
  EXPECT_TRUE(xml_well_formed(text, "path", paths, why)) << why;
  for (const LineChart& c : charts) EXPECT_NE(text.find(c.title), std::string::npos) << c.title;
  EXPECT_NE(text.find(app.exp().runs[0].label), std::string::npos);
  app.export_figure(out_path("panels_small.png"), "", 40, 20, charts);  // panels under 16 px
  EXPECT_TRUE(app.status_is_error());
  EXPECT_EQ(app.status_text().find('\n'), std::string::npos) << app.status_text();
  EXPECT_NE(app.status_text().find("16x16"), std::string::npos) << app.status_text();
}

TEST(GuiExport, RunsCsvJsonlAndRunDirectory) {
  Harness h(1280, 800);
  App& app = h.app();
  const std::string csv = out_path("runs.csv"), jsonl = out_path("runs.jsonl");
  app.export_runs(csv, jsonl);
  const std::string dir = out_path("run_dir");
  std::filesystem::remove_all(dir);
  app.export_run_dir(dir);
  ASSERT_TRUE(app.wait_tasks(120));
  EXPECT_FALSE(app.status_is_error()) << app.status_text();
  size_t rows = 0;
  for (const RunRecord& r : app.results().runs) rows += r.rows.size();
  const std::string c = read_file(csv), j = read_file(jsonl);
  EXPECT_EQ(c.substr(0, c.find('\n') + 1), records_csv_header());
  EXPECT_EQ(count_lines(c), 1 + rows);
  EXPECT_EQ(count_lines(j), rows + app.results().runs.size());  // one header line per run
  EXPECT_EQ(records_from_csv(c, csv).size(), app.results().runs.size());
  for (const char* f : {"experiment.json", "runs.csv", "runs.jsonl", "summary.json", "figure.png", "figure.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
}

TEST(GuiExport, ExperimentSaveLoadRoundTripKeepsTheHash) {
  Harness h(1280, 800);
  App& app = h.app();
  // Edits through the model, as the panels make them.
  app.run_add("zo_sign");
  app.exp().runs[0].hp["lr"] = 3e-3;
  app.exp().runs[1].colour = 0x123456;
  app.exp().runs[2].visible = false;
  app.exp().runs[3].label = "renamed";
  app.exp().view.colormap = "magma";
  app.exp().view.domain[0] = -1.5;
  app.exp().view.domain[1] = 1.5;
  app.exp().view.domain[2] = -0.5;
  app.exp().view.domain[3] = 2.5;
  app.exp().start = {0.25, -0.5};
  app.set_budget(true, 3000);
  h.settle();
  const std::string path = out_path("experiment.json");
  ASSERT_TRUE(app.save_experiment(path)) << app.status_text();
  const std::string hash = experiment_hash(app.exp());
  EXPECT_EQ(experiment_hash(experiment_load(path)), hash);
  ASSERT_TRUE(app.load_experiment("preset:rastrigin"));
  EXPECT_NE(experiment_hash(app.exp()), hash);
  ASSERT_TRUE(app.load_experiment(path));
  EXPECT_EQ(experiment_hash(app.exp()), hash);
  EXPECT_EQ(app.model().exp_path, path);
  // A malformed file: an error line, the loaded state stays.
  const std::string bad = out_path("bad.json");
  atomic_write(bad, "{\"zoscope_experiment\": 1, \"landscape\": ");
  EXPECT_FALSE(app.load_experiment(bad));
  EXPECT_TRUE(app.status_is_error());
  EXPECT_NE(app.status_text().find("bad.json"), std::string::npos);
  EXPECT_EQ(experiment_hash(app.exp()), hash);
  h.settle();
}

TEST(GuiExport, WindowScreenshot) {
  Harness h(1000, 700);
  App& app = h.app();
  const std::string path = out_path("window.png");
  app.request_screenshot(path);
  h.frame();
  ASSERT_TRUE(app.wait_tasks(60));
  const Png p = png_read(path);
  EXPECT_EQ(p.w, 1000);
  EXPECT_EQ(p.h, 700);
}

// The plots export as figures too: four PNG + SVG pairs of the requested size, each SVG
// naming every visible run and not the hidden one.
TEST(GuiExport, PlotsExportAsFigures) {
  Harness h(1280, 800);
  App& app = h.app();
  app.exp().runs[4].visible = false;
  h.frame();
  const std::string stem = out_path("plots/p");
  std::filesystem::create_directories(out_path("plots"));
  EXPECT_EQ(export_plots(app, stem, 900, 600), 8);
  for (const char* k : {"loss", "stepsize", "cos", "path"}) {
    const Png p = png_read(stem + "-" + k + ".png");
    EXPECT_EQ(p.w, 900) << k;
    EXPECT_EQ(p.h, 600) << k;
    std::ifstream in(stem + "-" + k + ".svg");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string svg = ss.str();
    for (size_t i = 0; i < app.exp().runs.size(); ++i)
      EXPECT_EQ(svg.find(">" + app.exp().runs[i].label + "<") != std::string::npos, i != 4) << k << " " << app.exp().runs[i].label;
  }
}

// One colour-bar rule for the view and the exported figure (issue 10, item 4, first
// step): on the default scene's log colour scale the view labels the same decades as the
// figure and writes the same caption ("f - |lo|"), the figure with a typeset minus.
TEST(GuiExport, ViewAndFigureShareTheColourBarTicksAndCaption) {
  Harness h;
  App& app = h.app();
  // Rosenbrock lifted by 5: on the log scale the ticks are heights above the minimum, and
  // the caption names it.
  Experiment e = app.exp();
  e.landscape.id = "expression";
  e.landscape.expression = "(1 - x)^2 + 100 * (y - x^2)^2 + 5";
  e.view.log_colour = 1;
  const std::string exp_path = out_path("colourbar_shared.json");
  experiment_save(e, exp_path);
  ASSERT_TRUE(app.load_experiment(exp_path));
  h.settle();
  h.frame(1);
  const ColourScale& sc = app.results().scale;
  ASSERT_TRUE(sc.log);
  ASSERT_FALSE(landscape_colourbar_labels().empty());
  const std::string p = out_path("colourbar_shared");
  std::filesystem::remove(p + ".svg");
  app.export_figure(p + ".png", p + ".svg", 1600, 1000);
  ASSERT_TRUE(app.wait_tasks(120));
  const std::string svg = read_file(p + ".svg");
  // One layout draws both (issue 10, item 4): the labels as written, a typeset minus.
  for (const std::string& l : landscape_colourbar_labels())
    EXPECT_NE(svg.find(">" + l + "<"), std::string::npos) << "view label " << l << " not in the figure";
  const std::string cap = landscape_colourbar_caption();
  ASSERT_EQ(cap.rfind("f \u2212 ", 0), 0u) << cap;
  EXPECT_EQ(cap, colour_bar_caption(sc, "", "\u2212"));
  // The export draws the view's colour range: the same caption.
  EXPECT_NE(svg.find(">" + cap + "<"), std::string::npos) << "caption " << cap;
}

// Every button of the Export panel lies inside the panel at 1024 x 768 and 1280 x 800:
// the size presets and the figure buttons flow onto new lines (the 560-pixel panel
// clipped "1280x800" and "Plots (PNG + SVG)").
TEST(GuiExport, ThePanelsButtonsStayInsideThePanel) {
  for (const auto& [w, hgt] : {std::pair<int, int>{1024, 768}, {1280, 800}}) {
    Harness h(w, hgt);
    App& app = h.app();
    app.model().ui.show_export = true;
    h.frame(3);
    const ImGuiWindow* win = ImGui::FindWindowByName("Export");
    ASSERT_NE(win, nullptr);
    std::vector<std::string> items = {"export/view_png", "export/figure", "export/panels", "export/plots", "export/runs",
                                      "export/run_dir", "export/save", "export/screenshot"};
    for (int k = 0; k < 5; ++k) items.push_back("export/size/" + std::to_string(k));
    for (const std::string& item : items) {
      ImVec2 a, b;
      ASSERT_TRUE(app.item_rect(item, a, b)) << item;
      EXPECT_LE(b.x, win->InnerClipRect.Max.x + 0.5f) << item << " at " << w << "x" << hgt;
      EXPECT_LE(b.y, win->InnerClipRect.Max.y + 0.5f) << item << " at " << w << "x" << hgt;
    }
  }
}

}  // namespace zs::gui::test
