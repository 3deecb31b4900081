// `zoscope-cli landscape SPEC --out DIR [--grid N] [--plane-seed S] [--examples K]`: the
// spec's runs trained side by side (core/llm/torch/live.h, the app's live runs) and drawn
// on the loss plane of two filter-normalised random directions through the initial
// weights: plane.csv (a, b, loss), runs.csv / runs.jsonl (rows with plane coordinates),
// figure.png + figure.svg (the landscape figure of core/export). Headless; same numbers as
// the app's "Language model" scene.
#include <cstdio>
#include <string>
#include "app/cli/commands.h"
#include "core/export/figure.h"
#include "core/landscape/grid_landscape.h"
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/live.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

struct LandscapeArgs {
  std::string spec, out;
  int grid = 21;
  uint64_t plane_seed = 0;
  int64_t examples = 8;  // as the app's live runs (live.h)
  double timeout_s = 3600;
};
LandscapeArgs g_ls;

}  // namespace

void cli_add_llm_landscape(CLI::App& app) {
  auto* c = app.add_subcommand("landscape",
                               "train a fine-tuning spec's runs and draw them on the loss plane of two random "
                               "filter-normalised directions (plane.csv, runs.csv, figure.png/svg)");
  c->add_option("spec", g_ls.spec, "fine-tuning spec (docs/finetune-schema.md) or preset:finetune_default")->required();
  c->add_option("--out", g_ls.out, "output folder")->required();
  c->add_option("--grid", g_ls.grid, "plane nodes per side (a 9 x 9 grid comes first)")->check(CLI::Range(3, 81));
  c->add_option("--plane-seed", g_ls.plane_seed, "seed of the two directions");
  c->add_option("--examples", g_ls.examples, "training examples the plane's loss is measured on")
      ->check(CLI::Range(1, 100000));
}

int cli_run_llm_landscape(int threads) {
  const LandscapeArgs& a = g_ls;
  LiveConfig c;
  c.spec = resolve_spec(a.spec);
  c.plane_fine = a.grid;
  c.plane_coarse = std::min(9, a.grid);
  c.plane_seed = a.plane_seed;
  c.plane_examples = a.examples;
  c.threads = threads;
  make_dirs(a.out);
  LiveTrainer live;
  live.configure(c);
  std::fprintf(stderr, "landscape: training %zu runs and measuring the %d x %d plane ...\n", c.spec.runs.size(), a.grid,
               a.grid);
  if (!live.wait_finished(a.timeout_s)) fail("landscape", "did not finish within " + fmt_double(a.timeout_s) + " s");
  LiveSnapshot s;
  live.poll(s);
  if (s.phase == "error") fail(a.spec, s.error);
  for (size_t i = 0; i < s.info.size(); ++i)
    if (!s.info[i].message.empty()) std::fprintf(stderr, "landscape: %s: %s\n", s.runs[i].label.c_str(), s.info[i].message.c_str());

  std::string csv = "a,b,loss\n";
  const Grid& g = s.plane;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const double x = g.domain[0] + (g.domain[1] - g.domain[0]) * i / (g.nx - 1);
      const double y = g.domain[2] + (g.domain[3] - g.domain[2]) * j / (g.ny - 1);
      csv += fmt_double(x) + "," + fmt_double(y) + "," + fmt_double(g.v[static_cast<size_t>(j) * g.nx + i]) + "\n";
    }
  atomic_write(a.out + "/plane.csv", csv);
  atomic_write(a.out + "/runs.csv", records_to_csv(s.runs));
  atomic_write(a.out + "/runs.jsonl", records_to_jsonl(s.runs));

  Experiment e;
  e.name = "loss plane: " + c.spec.file;
  e.max_steps = c.spec.steps > 0 ? c.spec.steps : 0;
  e.max_fp = c.spec.steps > 0 ? 0 : c.spec.forward_passes;
  std::vector<RunRecord> runs = s.runs;
  for (size_t i = 0; i < runs.size(); ++i) {
    RunSpec r;
    r.optimizer = runs[i].optimizer;
    r.label = runs[i].label;
    r.colour = runs[i].colour = default_run_colour(static_cast<int>(i));
    e.runs.push_back(r);
  }
  Scene scene;
  scene.landscape = landscape_from_grid(g.nx, g.ny, g.domain, g.v, "loss on the plane of two random directions");
  scene.start = Eigen::VectorXd::Zero(2);
  scene.proj.origin = scene.start;
  std::copy(g.domain, g.domain + 4, scene.domain);
  const Figure fig = figure_make(e, scene, g, runs);
  png_write(a.out + "/figure.png", figure_render_image(fig, e.export_style.width, e.export_style.height));
  atomic_write(a.out + "/figure.svg", figure_render_svg(fig, e.export_style.width, e.export_style.height));
  std::printf("wrote %s/{plane.csv,runs.csv,runs.jsonl,figure.png,figure.svg} (plane %d x %d, half-width %s)\n",
              a.out.c_str(), g.nx, g.ny, fmt_double(g.domain[1]).c_str());
  return 0;
}

}  // namespace zs
