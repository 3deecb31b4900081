// The "Language model" scene driven headless (llm_scene.h) on tiny-opt + the SST-2 test
// files, so it runs in seconds: MeZO and Adam stream rows into the plots, the loss plane
// fills and becomes the view's landscape, a slider change restarts that run only, the
// plane through both runs' endpoints replaces it, exports write the files, the experiment saves and reopens, and bad model folders or a tokenizer
// of another model give one line in the scene panel while the app goes on. A run followed
// from another process's folder (File > Follow run directory) is replayed onto the plane
// along the scene's own run of the same spec. File > Compare over seeds runs the scene's
// runs over seeds through zoscope-cli, follows them live and opens the table and figure.
#include <gtest/gtest.h>
#include <imgui_internal.h>
#include <unistd.h>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>
#include "app/gui/follow_run.h"
#include "app/gui/keys.h"
#include "app/gui/llm_scene.h"
#include "app/gui/panels.h"
#include "app/gui/plot.h"
#include "app/gui/tensor_heatmap.h"
#include "core/export/figure.h"
#include "core/llm/io/finetune_spec.h"
#include "core/llm/io/live_logs.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/live.h"
#include "core/run/step_log.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

namespace fs = std::filesystem;
const std::string kData = ZS_TEST_DATA;

std::string write_experiment(const std::string& name, const std::string& model, const std::string& tokenizer) {
  const std::string path = out_path(name + "_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"zoscope_finetune": 1, "model": ")" + model + R"(", "tokenizer": ")" + tokenizer +
                             R"(", "task": "sst2", "data": {"dir": ")" + kData +
                             R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "batch_size": 3, "seed": 5,
      "budget": {"steps": 12}, "eval_every": 4, "runs": [
        {"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}, "label": "MeZO", "colour": "#E69F00", "cosine_every": 4},
        {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}, "label": "Adam", "visible": true}],
      "view": {"plane_grid": 5}})";
  return path;
}

// Sets an environment variable for a scope (a folder under the build tree), then puts back
// what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_) ::setenv(name_, old_.c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

std::string tiny_experiment() {
  return write_experiment("llm_tiny", kData + "/fixtures/tiny-opt", kData + "/tokenizers/opt-style");
}

}  // namespace

TEST(GuiLlmScene, RunsStreamThePlaneFillsASliderRestartsOneRunExportsWrite) {
  const std::string saved = out_path("llm_saved.json");
  {
    Harness h(1280, 800, tiny_experiment());
    App& app = h.app();
    ASSERT_TRUE(app.llm_mode());
    ASSERT_NE(app.llm(), nullptr);
    ASSERT_TRUE(app.wait_idle(300));
    h.frame(3);
    EXPECT_EQ(app.llm()->phase(), "done");
    const Results& res = app.results();
    ASSERT_EQ(res.runs.size(), 2u);
    for (const RunRecord& r : res.runs) {
      ASSERT_EQ(r.rows.size(), 13u) << r.label;
      EXPECT_TRUE(std::isfinite(r.rows.back().loss));
      EXPECT_TRUE(std::isfinite(r.rows.back().x));
      EXPECT_TRUE(std::isfinite(r.rows[4].dev_metric));
    }
    EXPECT_EQ(res.runs[0].label, "MeZO");
    EXPECT_EQ(res.runs[0].colour, 0xE69F00u);
    // MeZO measures the cosine with the backprop gradient every 4 steps, Adam never.
    ASSERT_EQ(app.model().llm_cfg.cosine_every.size(), 2u);
    EXPECT_EQ(app.model().llm_cfg.cosine_every[0], 4);
    EXPECT_TRUE(std::isfinite(res.runs[0].rows[4].cos_grad));
    EXPECT_TRUE(std::isnan(res.runs[0].rows[3].cos_grad));
    EXPECT_TRUE(std::isnan(res.runs[1].rows[4].cos_grad));
    // The per-tensor view: every step has each tensor's step size and RMS update, and the
    // heatmap is drawn; the third plot switches to the cosine.
    for (const RunRecord& r : res.runs) {
      ASSERT_FALSE(r.tensor_names.empty()) << r.label;
      EXPECT_EQ(r.tensor_alpha.size(), 12 * r.tensor_names.size()) << r.label;
      EXPECT_EQ(r.tensor_rms.size(), 12 * r.tensor_names.size()) << r.label;
    }
    EXPECT_GT(h.centre("plots/tensors").x, 0);
    h.click(h.centre("plots/llm_cos"));
    h.frame(2);
    EXPECT_GT(h.centre("plots/cos").x, 0);
    // The plane is the view's landscape: a 5 x 5 grid around the trajectories.
    ASSERT_TRUE(res.grid);
    EXPECT_EQ(res.grid->nx, 5);
    ASSERT_NE(app.scene(), nullptr);
    EXPECT_EQ(app.scene()->domain[1], res.grid->domain[1]);
    for (float v : res.grid->v) EXPECT_TRUE(std::isfinite(v));
    EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
    // The view names the plane's axes and colour bar (not a landscape's "x" / "y"), and the
    // status bar gives the runs' states (not "2 runs in 0 ms": they trained in the background).
    EXPECT_EQ(app.view_figure().fig.xlabel, "random direction 1 (filter-normalised)");
    EXPECT_EQ(app.view_figure().fig.ylabel, "random direction 2");
    EXPECT_EQ(app.view_figure().fig.colour_label, "loss");
    // The plot spans the plane's grid and no more (it widened the domain to the view's
    // aspect, into bands with no loss drawn).
    for (int k = 0; k < 4; ++k) EXPECT_EQ(app.view_figure().plan.domain[static_cast<size_t>(k)], res.grid->domain[k]) << k;
    EXPECT_EQ(app.llm()->runs_summary(), "2 runs: all done");
    EXPECT_EQ(app.llm()->plane_note(), "");  // a full model's plane has a loss surface
    // The 3-D view names them too (a caption: too long for the axes' ends).
    h.show_surface();
    EXPECT_EQ(surface_axis_caption(), "x: random direction 1 (filter-normalised)   y: random direction 2   f: loss");
    app.model().ui.view_3d = false;
    h.frame(1);

    // A slider change (MeZO's lr) restarts MeZO from the initial weights; Adam keeps its run.
    const double adam_last = res.runs[1].rows.back().loss, mezo_last = res.runs[0].rows.back().loss;
    app.exp().runs[0].hp["lr"] = 3e-3;
    h.frame(1);
    ASSERT_TRUE(app.wait_idle(300));
    h.frame(2);
    ASSERT_EQ(app.results().runs.size(), 2u);
    EXPECT_NE(app.results().runs[0].rows.back().loss, mezo_last);
    EXPECT_EQ(app.results().runs[1].rows.back().loss, adam_last);
    // The restarted run's earlier curve stays (drawn faintly in the loss plot); Adam has none.
    ASSERT_EQ(app.results().previous.size(), 2u);
    EXPECT_EQ(app.results().previous[0].rows.size(), 13u);
    EXPECT_EQ(app.results().previous[0].rows.back().loss, mezo_last);
    EXPECT_TRUE(app.results().previous[1].rows.empty());

    // Exports: figure (PNG + SVG) and runs (CSV with the dev metric, JSONL).
    const std::string png = out_path("llm_fig.png"), svg = out_path("llm_fig.svg");
    const std::string csv = out_path("llm_runs.csv"), jsonl = out_path("llm_runs.jsonl");
    for (const std::string& p : {png, svg, csv, jsonl}) fs::remove(p);
    app.export_figure(png, svg, 800, 600);
    app.export_runs(csv, jsonl);
    // The multi-panel figure of a language model: its plane and its four plots.
    const std::string ppng = out_path("llm_panels.png"), psvg = out_path("llm_panels.svg");
    app.export_figure(ppng, psvg, 1200, 700, plots_panel_figure_charts(app));
    ASSERT_TRUE(app.wait_tasks(120));
    EXPECT_FALSE(app.status_is_error()) << app.status_text();
    for (const std::string& p : {png, svg, csv, jsonl, ppng, psvg}) EXPECT_GT(fs::file_size(p), 100u) << p;
    EXPECT_NE(read_file(csv).find(",dev_metric\n"), std::string::npos);
    for (const std::string& p : {svg, psvg})  // the plane's axes as the view names them
      EXPECT_NE(read_file(p).find("random direction 1 (filter-normalised)"), std::string::npos) << p;

    // Plane (b) through MeZO's and Adam's endpoints: replayed trajectories, a new grid,
    // MeZO (run A) ends on the first axis.
    app.model().llm_cfg.plane = "runs";
    h.frame(1);
    ASSERT_TRUE(app.wait_idle(300));
    h.frame(3);
    ASSERT_TRUE(app.results().grid);
    EXPECT_EQ(app.results().grid->nx, 5);
    EXPECT_EQ(app.scene()->landscape->info().display, "loss on the plane through the final weights of MeZO and Adam");
    const RunRecord& a = app.results().runs[0];
    EXPECT_GT(a.rows.back().x, 0);
    EXPECT_NEAR(a.rows.back().y, 0, 1e-5 * a.rows.back().x);
    EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
    EXPECT_EQ(app.view_figure().fig.xlabel, "toward MeZO's endpoint");
    EXPECT_EQ(app.view_figure().fig.ylabel, "toward Adam's (orthogonal part)");

    // Save and reopen: the same runs, hyperparameters, styles and plane.
    ASSERT_TRUE(app.save_experiment(saved));
  }
  Harness h2(800, 600, saved);
  ASSERT_TRUE(h2.app().llm_mode());
  ASSERT_EQ(h2.app().exp().runs.size(), 2u);
  EXPECT_EQ(h2.app().exp().runs[0].hp.at("lr"), 3e-3);
  EXPECT_EQ(h2.app().exp().runs[0].colour, 0xE69F00u);
  EXPECT_EQ(h2.app().model().llm_cfg.plane_grid, 5);
  EXPECT_EQ(h2.app().model().llm_cfg.plane, "runs");
  ASSERT_EQ(h2.app().model().llm_cfg.cosine_every.size(), 2u);
  EXPECT_EQ(h2.app().model().llm_cfg.cosine_every[0], 4);
}

// The scene panel's combo preview and field hints fit their fields in a small window
// (1024 x 700: the side column is as narrow as at the default 1280 x 800), a folder model
// shows the folder's name rather than the path's clipped start, and the tokenizer field
// holds the experiment's tokenizer (it showed the hint, and Enter in it cleared the
// tokenizer and restarted every run with another one).
TEST(GuiLlmScene, ScenePanelFieldsFitAndShowTheExperimentsFolders) {
  Harness h(1024, 700, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(2);
  EXPECT_EQ(llm_model_preview(app.model().llm_cfg.model), "model: tiny-opt");
  EXPECT_EQ(llm_model_preview(kData + "/fixtures/tiny-opt/"), "model: tiny-opt");
  const ImGuiStyle& st = ImGui::GetStyle();
  // The width of a field's frame: its item rectangle less the label right of it.
  const auto frame_width = [&](const char* item, const char* label) {
    ImVec2 a, b;
    EXPECT_TRUE(app.item_rect(item, a, b)) << item;
    return b.x - a.x - (*label ? st.ItemInnerSpacing.x + ImGui::CalcTextSize(label).x : 0.f);
  };
  const float arrow = ImGui::GetFrameHeight(), pad = 2 * st.FramePadding.x;
  for (const std::string& m : {std::string("default"), app.model().llm_cfg.model})
    EXPECT_GE(frame_width("llm/model", ""), ImGui::CalcTextSize(llm_model_preview(m).c_str()).x + pad + arrow) << m;
  EXPECT_GE(frame_width("llm/folder", ""), ImGui::CalcTextSize(kLlmFolderHint).x + pad);
  EXPECT_GE(frame_width("llm/tokenizer", "tokenizer"), ImGui::CalcTextSize(kLlmTokenizerHint).x + pad);
  EXPECT_GE(frame_width("llm/data", "data folder"), ImGui::CalcTextSize(kLlmDataHint).x + pad);  // SST-2: the field shows
  // A run's status line ("done | 0 B optimizer state | ...") breaks between its parts
  // inside the Runs panel.
  ImVec2 a, b;
  ASSERT_TRUE(app.item_rect("runs/0/status", a, b));
  const ImGuiWindow* runs = ImGui::FindWindowByName("Runs");
  ASSERT_NE(runs, nullptr);
  EXPECT_LE(b.x, runs->InnerClipRect.Max.x + 0.5f);
  const std::string tok = kData + "/tokenizers/opt-style";
  ASSERT_EQ(app.model().llm_cfg.tokenizer, tok);
  h.click(h.centre("llm/tokenizer"));
  h.key(kKeyEnter);
  h.frame(2);
  EXPECT_EQ(app.model().llm_cfg.tokenizer, tok);
  EXPECT_EQ(app.model().llm_cfg.data_dir, kData + "/tasks/sst2");
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// LoRA's B matrices start at zero, so the random plane's loss is one value everywhere:
// the view and the scene panel say so and why, rather than showing one colour unexplained.
TEST(GuiLlmScene, AFlatLoraPlaneIsExplained) {
  const std::string path = out_path("llm_lora_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"zoscope_finetune": 1, "model": ")" + kData + R"(/fixtures/tiny-opt", "tokenizer": ")" + kData +
                             R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
                             R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "mode": "lora", "batch_size": 3, "seed": 5,
      "budget": {"steps": 6}, "eval_every": 3, "runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}, "label": "MeZO"}],
      "view": {"plane_grid": 5}})";
  Harness h(1280, 800, path);
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  ASSERT_TRUE(app.results().grid);
  const std::string note = app.llm()->plane_note();
  EXPECT_EQ(note.rfind("The loss is ", 0), 0u) << note;
  EXPECT_NE(note.find("everywhere on this plane"), std::string::npos) << note;
  EXPECT_NE(note.find("LoRA mode the B matrices start at zero"), std::string::npos) << note;
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// In bf16 a plane finer than the weights' rounding (node spacing below 2^-8, what runs with
// a tiny learning rate give) is rounding noise: the view and panel say so; in fp32 not.
TEST(GuiLlmScene, ABf16PlaneFinerThanItsRoundingIsExplained) {
  for (const std::string dtype : {"bf16", "fp32"}) {
    const std::string path = out_path("llm_" + dtype + "_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"zoscope_finetune": 1, "model": ")" + kData + R"(/fixtures/tiny-opt", "tokenizer": ")" +
                               kData + R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
                               R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "dtype": ")" + dtype +
                               R"(", "batch_size": 3, "seed": 5, "budget": {"steps": 6}, "eval_every": 3,
        "runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-6}, "label": "MeZO"}], "view": {"plane_grid": 5}})";
    Harness h(1280, 800, path);
    App& app = h.app();
    ASSERT_TRUE(app.wait_idle(300)) << dtype;
    h.frame(3);
    ASSERT_TRUE(app.results().grid) << dtype;
    const Grid& g = *app.results().grid;
    const double step = (g.domain[1] - g.domain[0]) / (g.nx - 1);
    const std::string note = app.llm()->plane_note();
    if (dtype == "bf16") {
      ASSERT_LT(step, std::ldexp(1.0, -8)) << "the runs moved too far for this test";
      EXPECT_NE(note.find("below what bf16 resolves"), std::string::npos) << note;
    } else {
      EXPECT_EQ(note.find("resolves"), std::string::npos) << note;
    }
    EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
  }
}

TEST(GuiLlmScene, BadModelsGetOneLineAndTheAppGoesOn) {
  for (const auto& [name, model, tok, needle] :
       {std::tuple<std::string, std::string, std::string, std::string>{"missing", "/nonexistent/model", kData + "/tokenizers/opt-style",
                                                                       "/nonexistent/model"},
        {"vocab", kData + "/fixtures/tiny-opt", kData + "/tokenizers/trained-2k", "2000 token ids"}}) {
    Harness h(1280, 800, write_experiment("llm_bad_" + name, model, tok));
    App& app = h.app();
    ASSERT_TRUE(app.llm_mode()) << name;
    ASSERT_TRUE(app.wait_idle(120)) << name;
    h.frame(3);
    EXPECT_EQ(app.llm()->phase(), "error") << name;
    EXPECT_TRUE(app.results().runs.empty());
    EXPECT_NE(app.results().runs_error.find(needle), std::string::npos) << app.results().runs_error;
    EXPECT_EQ(app.results().runs_error.find('\n'), std::string::npos);
    EXPECT_EQ(app.gl_error_frames(), 0);
    // Back to a landscape: the app works as before.
    app.set_llm_mode(false);
    ASSERT_FALSE(app.llm_mode());
    ASSERT_TRUE(app.wait_idle(60));
    h.frame(2);
    EXPECT_FALSE(app.results().runs.empty());
  }
}

// A fine-tune of the scene's MeZO run, written by the batch driver into a folder and
// followed: its step log is replayed onto the scene's plane, and its trajectory lies on the
// scene's own MeZO run (the same steps; float rounding where either settled a perturbation).
TEST(GuiLlmScene, AFollowedRunIsReplayedOntoThePlaneAlongTheScenesOwnRun) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  ASSERT_EQ(app.llm()->phase(), "done");
  const fs::path dir = fs::path(out_path("llm_follow_" + std::to_string(::getpid())));
  fs::remove_all(dir);
  const FinetuneSpec spec = finetune_spec_parse(
      R"({"zoscope_finetune": 1, "model": ")" + kData + R"(/fixtures/tiny-opt", "tokenizer": ")" + kData +
          R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
          R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "batch_size": 3, "seed": 5, "budget": {"steps": 12},
          "eval_every": 4, "runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}, "label": "MeZO"}]})",
      "follow.json");
  make_dirs(dir.string());
  atomic_write((dir / "spec.json").string(), finetune_spec_to_json(spec));
  FinetuneRunOptions o;
  o.threads = 1;
  ASSERT_TRUE(finetune_run(spec, 0, spec.model, (dir / "runs" / "MeZO").string(), o).completed);
  FollowRunDirectory(dir.string().c_str());
  const auto placed = [&] {
    const std::vector<RunRecord>& f = app.results().followed;
    return f.size() == 1 && f[0].rows.size() == 13 && std::isfinite(f[0].rows.back().x);
  };
  for (int k = 0; k < 600 && !placed(); ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h.frame(1);
  }
  ASSERT_TRUE(placed()) << FollowRunStatus() << " / " << app.llm()->followed_note(0);
  EXPECT_EQ(app.llm()->followed_note(0), "");
  const RunRecord& f = app.results().followed[0];
  const RunRecord& own = app.results().runs[0];
  ASSERT_EQ(own.label, "MeZO");
  for (size_t t = 0; t < 13; ++t) {
    EXPECT_EQ(f.rows[t].loss, own.rows[t].loss) << "step " << t;
    const double tol = 1e-4 * (std::fabs(own.rows[t].x) + std::fabs(own.rows[t].y)) + 1e-12;
    EXPECT_NEAR(f.rows[t].x, own.rows[t].x, tol) << "step " << t;
    EXPECT_NEAR(f.rows[t].y, own.rows[t].y, tol) << "step " << t;
  }
  EXPECT_NE(f.rows.back().x, 0);
  h.frame(2);  // the followed path drawn on the plane
  png_write(out_path("llm_follow.png"), h.read_frame());
  app.model().ui.view_3d = true;  // and on the 3-D surface
  h.frame(3);
  png_write(out_path("llm_follow_3d.png"), h.read_frame());
  app.model().ui.view_3d = false;
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
  StopFollowing(app);
  h.frame(1);
  EXPECT_TRUE(app.results().followed.empty());
  fs::remove_all(dir);
}

// A followed run chosen as plane run B is an index into the label-sorted followed list:
// when a run folder that sorts before it appears, the choice keeps pointing at the same run;
// a choice the user changes stays as chosen.
TEST(GuiLlmScene, AFollowedPlaneRunKeepsItsRunWhenTheFollowedListGrows) {
  const fs::path dir = fs::path(out_path("follow_plane_pick_" + std::to_string(::getpid())));
  fs::remove_all(dir);
  const auto write_run = [&](const std::string& label) {
    fs::create_directories(dir / "runs" / label);
    const std::string s = followed_step_log(1, 3);
    atomic_write((dir / "runs" / label / "steps.log").string(), s);
  };
  write_run("m2");
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  FollowRunDirectory(dir.string().c_str());
  h.frame(2);
  ASSERT_EQ(app.results().followed.size(), 1u);
  const int n = static_cast<int>(app.exp().runs.size());
  LlmSettings& c = app.model().llm_cfg;
  c.plane = "runs";
  c.plane_runs[0] = 0;
  c.plane_runs[1] = n;  // m2 (followed)
  h.frame(2);
  write_run("a1");  // sorts before m2
  for (int k = 0; k < 100 && app.results().followed.size() < 2; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h.frame(1);
  }
  ASSERT_EQ(app.results().followed.size(), 2u);
  h.frame(2);
  EXPECT_EQ(c.plane_runs[0], 0);
  EXPECT_EQ(c.plane_runs[1], n + 1);  // still m2, now second in the list
  c.plane_runs[1] = n;  // the user picks a1
  h.frame(2);
  EXPECT_EQ(c.plane_runs[1], n);
  StopFollowing(app);
  h.frame(1);
  fs::remove_all(dir);
}

// The scene panel's "continue a logged run": a session closed mid-training (written by a
// live trainer into $XDG_DATA_HOME/zoscope/llm-runs) is listed next to a foreign and a
// corrupt folder (one line each, skipped); "Continue" loads it and resumes its runs into
// the scene's trainer; they end with the step logs and curves of an uninterrupted session,
// bit for bit, and the session leaves the list.
TEST(GuiLlmScene, ContinueResumesALoggedSessionBitForBitAndSkipsBadFolders) {
  const fs::path xdg = out_path("xdg_" + std::to_string(::getpid()));
  fs::remove_all(xdg);
  const ScopedEnv data_home("XDG_DATA_HOME", xdg.string());
  const fs::path root = live_logs_root();
  const fs::path session = root / "llm_tiny-20260101-000000";
  {
    Harness h(1280, 800, tiny_experiment());
    App& app = h.app();
    ASSERT_TRUE(app.wait_idle(300));
    // The scene's own spec (as the app writes it into a session's spec.json).
    nlohmann::json j = nlohmann::json::parse(app.llm()->to_json(app));
    j.erase("view");
    for (auto& r : j["runs"]) {
      r.erase("colour");
      r.erase("visible");
    }
    zs::LiveConfig c;
    c.spec = finetune_spec_parse(j.dump(), "scene");
    c.plane_coarse = 3;
    c.plane_fine = 3;
    {
      zs::LiveTrainer ref;
      c.log_dir = (xdg / "ref").string();
      ref.configure(c);
      ASSERT_TRUE(ref.wait_finished(300));
    }
    {
      zs::LiveTrainer cut;
      c.log_dir = session.string();
      cut.configure(c);
      ASSERT_TRUE(cut.wait_steps(5, 300));
    }  // the app closed mid-training
    fs::create_directories(root / "holiday-photos");
    fs::create_directories(root / "broken");
    atomic_write((root / "broken" / "spec.json").string(), "{\"zoscope_finetune\": 1,");
    const LoggedLiveSessions listed = live_logs_scan(root.string());
    ASSERT_EQ(listed.unfinished.size(), 1u);
    EXPECT_EQ(listed.unfinished[0].dir, session.string());
    ASSERT_EQ(listed.skipped.size(), 2u);
    for (const std::string& line : listed.skipped) EXPECT_EQ(line.find('\n'), std::string::npos) << line;

    // The panel: open the list, press Continue.
    h.wheel(h.centre("llm/model"), -30);  // the list is at the end of the scene panel
    h.frame(1);
    h.click(h.centre("llm/logged"));
    h.frame(2);
    ASSERT_GT(h.centre("llm/continue").x, 0) << "the session is listed with a Continue button";
    h.click(h.centre("llm/continue"));
    h.frame(2);
    ASSERT_TRUE(app.wait_idle(300));
    h.frame(3);
    EXPECT_EQ(app.llm()->phase(), "done");
    EXPECT_EQ(app.exp().name, "llm_tiny-20260101-000000");
    ASSERT_EQ(app.results().runs.size(), c.spec.runs.size());
    for (size_t i = 0; i < c.spec.runs.size(); ++i) {
      const std::string label = c.spec.runs[i].label;
      EXPECT_EQ(read_file((session / "runs" / label / "steps.log").string()),
                read_file((xdg / "ref/runs" / label / "steps.log").string()))
          << label;
      const std::vector<StepLogRecord> log = step_log_read((xdg / "ref/runs" / label / "steps.log").string());
      std::vector<double> losses;
      for (const StepLogRecord& r : log)
        if (r.kind == 'S') losses.push_back(r.loss);
      const RunRecord& rec = app.results().runs[i];
      ASSERT_EQ(rec.rows.size(), losses.size() + 1) << label;
      for (size_t k = 0; k < losses.size(); ++k) EXPECT_EQ(rec.rows[k + 1].loss, losses[k]) << label << " step " << k + 1;
    }
    EXPECT_NE(app.llm()->run_status(0).find("logged steps replayed"), std::string::npos) << app.llm()->run_status(0);
    EXPECT_TRUE(live_logs_scan(root.string()).unfinished.empty());
    EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
  }
  fs::remove_all(xdg);
}

namespace {

// True when the item `name` was drawn inside the visible part of window `window` (not
// scrolled out of view and not under another panel's edge).
bool visible_in(App& app, const std::string& name, const char* window) {
  ImVec2 a, b;
  const ImGuiWindow* w = ImGui::FindWindowByName(window);
  if (!app.item_rect(name, a, b) || !w) return false;
  const ImRect clip = w->InnerClipRect;
  return a.x >= clip.Min.x - 0.5f && a.y >= clip.Min.y - 0.5f && b.x <= clip.Max.x + 0.5f && b.y <= clip.Max.y + 0.5f;
}

// Pauses every run and cancels the model's loading, then waits for the trainer to idle.
void cancel_loading(Harness& h) {
  App& app = h.app();
  app.llm()->control(-1, LlmControl::Pause);
  h.click(h.centre("llm/cancel"));
  h.frames_while([&] { return app.llm()->phase() != "idle"; }, 60);
}

// Every plot of the Plots panel spans x = 0..hi (before any rows: the budget).
void expect_plots_span(double hi) {
  for (const char* id : {"loss", "alpha", "cos", "path"}) {
    EXPECT_DOUBLE_EQ(plots_panel_state(id)->x.lo, 0) << id;
    EXPECT_DOUBLE_EQ(plots_panel_state(id)->x.hi, hi) << id;
  }
}

}  // namespace

// A newcomer's first start: picking "Language model" pretrains the default model (about a
// CPU-minute). Its progress bar and cancel button are where the panel starts, visible in
// the default window and a 1024 x 768 one (they were at the panel's end, below the fold,
// and the view showed an empty square with nothing saying why); the status bar gives the
// percentage; after a cancel the panel says so and "load again" starts it again (nothing
// could, short of changing a setting).
TEST(GuiLlmScene, FirstUsePretrainingShowsItsProgressAtTheTopAndCanBeCancelledAndLoadedAgain) {
  const fs::path cache = out_path("cache_first_use_" + std::to_string(::getpid()));
  fs::remove_all(cache);
  const ScopedEnv cache_home("XDG_CACHE_HOME", cache.string());
  for (const auto& [w, hgt] : {std::pair<int, int>{1280, 800}, {1024, 768}}) {
    Harness h(w, hgt);
    App& app = h.app();
    h.click(h.centre("scene/kind_llm"));
    ASSERT_TRUE(app.llm_mode());
    const auto pretraining = [&] { return app.llm()->phase().rfind("pretraining", 0) == 0; };
    h.frames_while([&] { return !pretraining(); }, 120);
    ASSERT_TRUE(pretraining()) << app.llm()->phase();
    h.frame(2);
    EXPECT_TRUE(visible_in(app, "llm/phase", "Scene")) << w;  // wrapped, not clipped at 1024
    EXPECT_TRUE(visible_in(app, "llm/progress", "Scene")) << w;
    EXPECT_EQ(llm_play_state(app), LlmPlayState::NotStarted);  // the Play button is greyed
    // Meanwhile the plots span the budget (they kept the landscape's 0..2000), the empty
    // view reads nothing on hover (it read "loss = 0") and each run waits for the model
    // (it said "computing...").
    const Experiment& e = app.exp();
    ASSERT_EQ(app.model().plots.x_fp, e.max_fp > 0);
    expect_plots_span(static_cast<double>(e.max_fp > 0 ? e.max_fp : e.max_steps));
    ASSERT_FALSE(app.results().grid);
    h.mouse_move(h.centre("view/landscape"));
    h.frame(2);
    EXPECT_EQ(view_hover_readout(), "");
    EXPECT_EQ(run_pending_text(app, 0), "waiting for the model");
    EXPECT_TRUE(visible_in(app, "llm/cancel", "Scene")) << w;
    const std::string summary = app.llm()->runs_summary();
    EXPECT_EQ(summary.rfind("4 runs: pretraining the default model", 0), 0u) << summary;
    EXPECT_EQ(summary.back(), '%') << summary;
    h.click(h.centre("llm/cancel"));
    h.frames_while([&] { return app.llm()->phase() != "idle"; }, 60);
    ASSERT_EQ(app.llm()->phase(), "idle");
    h.frame(2);
    EXPECT_EQ(app.llm()->runs_summary(), "4 runs: model loading cancelled");
    EXPECT_FALSE(app.busy());
    ASSERT_TRUE(visible_in(app, "llm/load_again", "Scene")) << w;
    h.click(h.centre("llm/load_again"));
    h.frames_while([&] { return !pretraining(); }, 60);
    EXPECT_TRUE(pretraining()) << app.llm()->phase();
    cancel_loading(h);
    EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
  }
  fs::remove_all(cache);
}

// A model folder typed wrong: the one-line error and "retry" are at the top of the scene
// panel, the status bar and each run say the runs did not start and why, and the last
// model's loss plane leaves the view. Before, the error sat at the panel's end below the
// fold, the status bar said "2 runs: error", each run "waiting", and the view went on
// showing the previous model's plane.
TEST(GuiLlmScene, AModelFolderTypedWrongIsSaidAtTheTopAndTheOldPlaneLeaves) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  ASSERT_TRUE(app.results().grid);
  h.click(h.centre("llm/folder"));
  h.type("/nonexistent/typo-model");
  h.key(kKeyEnter);
  h.frame(2);
  ASSERT_TRUE(app.wait_idle(120));
  h.frame(3);
  ASSERT_EQ(app.llm()->phase(), "error");
  EXPECT_TRUE(visible_in(app, "llm/retry", "Scene"));
  const std::string summary = app.llm()->runs_summary();
  EXPECT_EQ(summary.rfind("2 runs: not started: ", 0), 0u) << summary;
  EXPECT_NE(summary.find("/nonexistent/typo-model"), std::string::npos) << summary;
  EXPECT_EQ(app.llm()->run_status(0).rfind("not started", 0), 0u) << app.llm()->run_status(0);
  EXPECT_FALSE(app.results().grid);
  EXPECT_EQ(app.llm()->plane_note(), "");
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// The playback toolbar's Play button pauses and resumes live runs: it reads "Pause" while
// they train and "Play" while they are paused (it read "Play" throughout), and with every
// run finished it is disabled; the speed slider, which live runs do not use, is disabled.
TEST(GuiLlmScene, ThePlayButtonNamesWhatItDoesToLiveRuns) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  EXPECT_EQ(llm_play_state(app), LlmPlayState::Finished);
  const ImGuiWindow* bar = ImGui::FindWindowByName("Playback");
  ASSERT_NE(bar, nullptr);
  const auto hovered_label = [&](const char* label) {
    h.mouse_move(h.centre("playback/play"));
    h.frame(1);
    return ImGui::GetCurrentContext()->HoveredIdPreviousFrame == const_cast<ImGuiWindow*>(bar)->GetID(label);
  };
  app.set_budget(false, 400);           // long enough to see it train
  app.exp().runs[1].hp["lr"] = 2e-3;    // Adam restarts
  h.frames_while([&] { return llm_play_state(app) != LlmPlayState::Running; }, 60);
  ASSERT_EQ(llm_play_state(app), LlmPlayState::Running);
  EXPECT_TRUE(hovered_label("Pause"));
  h.click(h.centre("playback/play"));
  h.frames_while([&] { return llm_play_state(app) != LlmPlayState::Paused; }, 30);
  ASSERT_EQ(llm_play_state(app), LlmPlayState::Paused);
  EXPECT_TRUE(hovered_label("Play"));
  const double speed = app.model().play.speed;
  const ImVec2 sp = h.centre("playback/speed");
  h.drag(sp, ImVec2(sp.x + 60, sp.y));
  EXPECT_EQ(app.model().play.speed, speed);
  h.click(h.centre("playback/play"));
  h.frames_while([&] { return llm_play_state(app) == LlmPlayState::Paused; }, 30);
  EXPECT_NE(llm_play_state(app), LlmPlayState::Paused);
  app.llm()->control(-1, LlmControl::Stop);
  ASSERT_TRUE(app.wait_idle(120));
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// The plane through two runs' endpoints follows its runs when runs are added or removed:
// removing a run before them kept their indices, so the plane moved onto other runs, and
// removing one of them left an index past the end (the axes read "toward ?'s endpoint").
TEST(GuiLlmScene, ThePlaneRunsFollowTheirRunsWhenRunsAreAddedOrRemoved) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  app.run_add("hizoo");
  h.frame(2);
  const std::string hizoo = app.exp().runs.back().label;
  LlmSettings& c = app.model().llm_cfg;
  c.plane = "runs";
  c.plane_runs[0] = 1;  // Adam
  c.plane_runs[1] = 2;  // HiZOO
  h.frame(2);
  const auto label = [&](int k) {
    const int i = c.plane_runs[k];
    return i >= 0 && i < static_cast<int>(app.exp().runs.size()) ? app.exp().runs[static_cast<size_t>(i)].label : "(none)";
  };
  app.run_remove(0);  // MeZO, before both
  h.frame(2);
  EXPECT_EQ(label(0), "Adam");
  EXPECT_EQ(label(1), hizoo);
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  EXPECT_EQ(app.view_figure().fig.xlabel, "toward Adam's endpoint");
  EXPECT_EQ(app.view_figure().fig.ylabel, "toward " + hizoo + "'s (orthogonal part)");
  app.run_add("mezo");  // appended: the choice stays
  h.frame(2);
  EXPECT_EQ(label(0), "Adam");
  EXPECT_EQ(label(1), hizoo);
  app.run_remove(0);  // Adam, run A: replaced by the first other run
  h.frame(2);
  EXPECT_EQ(label(1), hizoo);
  EXPECT_EQ(label(0), app.exp().runs[1].label);
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  EXPECT_EQ(app.view_figure().fig.xlabel.find('?'), std::string::npos) << app.view_figure().fig.xlabel;
  EXPECT_EQ(app.view_figure().fig.ylabel.find('?'), std::string::npos) << app.view_figure().fig.ylabel;
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// On the plane through two runs' endpoints a slider change restarts a run, and the trainer
// goes back to the random plane before it has measured it: the view drew the old plane's
// grid under the random plane's axis names (and the trajectories, in random-plane
// coordinates, as a dot at its origin). Now no frame shows a grid under another plane's
// names; the new plane through both endpoints comes when the run has finished again.
TEST(GuiLlmScene, NoFrameShowsOnePlanesGridUnderTheOtherPlanesNames) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  app.model().llm_cfg.plane = "runs";
  h.frame(1);
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  ASSERT_TRUE(app.results().grid);
  ASSERT_EQ(app.view_figure().fig.xlabel, "toward MeZO's endpoint");
  const std::vector<float> runs_plane = app.results().grid->v;
  app.exp().runs[0].hp["lr"] = 2e-3;  // MeZO restarts
  int mislabelled = 0, frames = 0;
  const auto check = [&] {
    ++frames;
    const auto& g = app.results().grid;
    if (g && g->v == runs_plane && app.view_figure().fig.xlabel.rfind("toward", 0) != 0) ++mislabelled;
  };
  // Until the new plane through both endpoints is in.
  const auto replaced = [&] {
    const auto& g = app.results().grid;
    return g && g->v != runs_plane && app.view_figure().fig.xlabel == "toward MeZO's endpoint" && app.llm()->phase() == "done";
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (!replaced() && std::chrono::steady_clock::now() < until) {
    h.frame(1);
    check();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  h.frame(3);
  check();
  EXPECT_EQ(mislabelled, 0) << "of " << frames << " frames";
  ASSERT_TRUE(app.results().grid);
  EXPECT_NE(app.results().grid->v, runs_plane);
  EXPECT_EQ(app.view_figure().fig.xlabel, "toward MeZO's endpoint");
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// Hovering the colour bar says what the plane's loss is measured on (fixed training
// examples, not the curves' minibatches); the plot itself shows no such tooltip.
TEST(GuiLlmScene, TheColourBarSaysWhatThePlanesLossIsMeasuredOn) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  const auto tooltip_shown = [] {
    const ImGuiWindow* t = ImGui::FindWindowByName("##Tooltip_00");
    return t && t->Active;
  };
  const fig::Box& cb = app.view_figure().plan.lay.cbar;
  const fig::Box& plot = app.view_figure().plan.lay.plot;
  ASSERT_GT(cb.w, 0);
  ImVec2 a, b;
  ASSERT_TRUE(app.item_rect("view/landscape", a, b));
  // Screen = the view's plot origin - the plan's plot origin + the plan's coordinates.
  const auto screen = [&](double x, double y) {
    return ImVec2(a.x - static_cast<float>(plot.x) + static_cast<float>(x), a.y - static_cast<float>(plot.y) + static_cast<float>(y));
  };
  h.mouse_move(screen(cb.x + cb.w / 2, cb.y + cb.h / 2));
  h.frame(2);
  EXPECT_TRUE(tooltip_shown());
  h.mouse_move(screen(plot.x + plot.w / 2, plot.y + 4));
  h.frame(2);
  EXPECT_FALSE(tooltip_shown());
}

// Right after a setting change the scene is busy and the status bar does not say "all
// done": the trainer's snapshots of the previous configuration (which had finished) say
// "starting" (LiveSnapshot::generation), and its phase is "done" only while every run is.
// The plane's line says what the plane's loss is measured on.
TEST(GuiLlmScene, AChangeAfterTheRunsFinishedIsBusyFromTheFirstFrame) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  ASSERT_EQ(app.llm()->runs_summary(), "2 runs: all done");
  EXPECT_EQ(app.llm()->plane_measure(), "loss on the first 4 training examples (fixed); the curves: each step's minibatch of 3");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the idle trainer publishes again meanwhile
  app.exp().runs[0].hp["lr"] = 2e-3;  // MeZO restarts
  // Until the restarted run has finished (its earlier curve is `previous`) and the plane
  // with it: every frame before is busy.
  const auto finished_again = [&] {
    const auto& prev = app.results().previous;
    return !prev.empty() && prev[0].rows.size() > 1 && app.llm()->phase() == "done";
  };
  int frames = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (std::chrono::steady_clock::now() < until) {
    h.frame(1);
    ++frames;
    if (finished_again()) break;
    ASSERT_TRUE(app.busy()) << "frame " << frames << ": phase " << app.llm()->phase();
    // Until the restart is in, the old states (both runs done) are not shown as current;
    // after it, "all done" is right once both have finished while the plane is measured.
    const auto& prev = app.results().previous;
    if (prev.empty() || prev[0].rows.size() <= 1) {
      ASSERT_EQ(app.llm()->runs_summary().find("all done"), std::string::npos) << "frame " << frames;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(finished_again());
  ASSERT_TRUE(app.wait_idle(300));
  h.frame(3);
  EXPECT_EQ(app.llm()->runs_summary(), "2 runs: all done");
}

// The scene panel's number fields take a value typed and left with a click (it was
// dropped unless the user pressed Enter), and apply it once, when left: the seed, applied
// per keystroke, reloaded the model once per digit.
TEST(GuiLlmScene, NumberFieldsApplyWhatWasTypedWhenLeft) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  h.wheel(h.centre("llm/model"), -3);  // the fields below the fold
  h.frame(2);
  const auto type_into = [&](const char* item, const char* text) {
    h.click(h.centre(item));
    h.frame(1);
    for (int k = 0; k < 8; ++k) h.key(kKeyBackspace);
    h.type(text);
    h.frame(1);
  };
  LlmSettings& c = app.model().llm_cfg;
  ASSERT_EQ(c.batch_size, 3);
  type_into("llm/batch_size", "2");
  EXPECT_EQ(c.batch_size, 3);  // not while typing
  h.click(ImVec2(640, 400));   // leaves the field
  h.frame(2);
  EXPECT_EQ(c.batch_size, 2);
  ASSERT_EQ(c.seed, 5u);
  type_into("llm/seed", "17");
  EXPECT_EQ(c.seed, 5u);
  h.key(kKeyEnter);
  h.frame(2);
  EXPECT_EQ(c.seed, 17u);
  ASSERT_TRUE(app.wait_idle(300));
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

// The per-tensor heatmap's box before the first step says so (it said "the CUDA engine
// reduces none per tensor" on the CPU, in one line past the panel's edge).
TEST(GuiLlmScene, TheTensorHeatmapSaysWhyItIsEmpty) {
  EXPECT_EQ(tensor_heatmap_note(nullptr), "no steps yet: each step adds a column");
  RunRecord r;
  r.rows.resize(1);  // step 0 only
  EXPECT_EQ(tensor_heatmap_note(&r), "no steps yet: each step adds a column");
  r.rows.resize(4);
  EXPECT_EQ(tensor_heatmap_note(&r), "this run has no per-tensor statistics (its engine records none)");
}

namespace {

// Frames until the comparison's command has ended and been handled (at most `seconds`).
bool wait_compare(Harness& h, double seconds) {
  return h.frames_while([&] { return compare_running(h.app()); }, seconds);
}

}  // namespace

// The dialog reads its learning-rate factors as the CLI does (core/util/text_list.h): an
// empty item is refused in one line quoting the text (the dialog dropped it and ran 1,2).
TEST(GuiLlmScene, CompareDialogRefusesAnEmptyLearningRateFactor) {
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  OpenCompareDialog(app);
  h.frame(3);
  h.click(h.centre("compare/lr_factors"));
  h.type("1,,2");
  h.frame(2);
  h.click(h.centre("compare/run"));
  h.frame(2);
  EXPECT_FALSE(compare_running(app));
  EXPECT_NE(app.status_text().find("learning-rate factors: got \"1,,2\": item 2 is empty"), std::string::npos)
      << app.status_text();
}

TEST(GuiLlmScene, CompareOverSeedsRunsTheCliFollowsItAndOpensTheTable) {
  ::setenv("ZOSCOPE_CLI", ZS_ZOSCOPE_CLI_EXE, 1);
  Harness h(1280, 800, tiny_experiment());
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(300));
  const std::string dir = out_path("llm_compare_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  CompareRequest req;
  req.seeds = 2;
  req.target = 0.5;
  req.dir = dir;
  OpenCompareDialog(app);
  h.frame(3);
  png_write(out_path("llm_compare_dialog.png"), h.read_frame());  // to look at
  const std::vector<std::string> cmd = compare_command(req);
  EXPECT_EQ(cmd[0], ZS_ZOSCOPE_CLI_EXE);
  EXPECT_EQ(std::vector<std::string>(cmd.begin() + 1, cmd.end()),
            (std::vector<std::string>{"finetune", dir + "/spec.json", "--out", dir, "--seeds", "2", "--target", "0.5"}));
  std::string err;
  ASSERT_TRUE(run_compare(app, req, &err)) << err;
  EXPECT_TRUE(compare_running(app));
  EXPECT_FALSE(run_compare(app, req, &err));  // one at a time
  EXPECT_NE(err.find("already running"), std::string::npos) << err;
  ASSERT_TRUE(wait_compare(h, 300)) << compare_progress(app);
  // The command's folder: the scene's spec, a folder per seed, the table and figure.
  EXPECT_EQ(finetune_spec_load(dir + "/spec.json").runs.size(), app.exp().runs.size());
  for (const char* f : {"seed-0/runs/MeZO/steps.log", "seed-1/runs/Adam/result.json", "table.txt", "compare.csv", "compare.png"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / f)) << f << "\n" << compare_progress(app);
  // Followed live, seed by seed; the last seed stays followed.
  EXPECT_EQ(FollowRunDir(), dir + "/seed-1");
  // Opened in the sweep window: the CLI's figure and its table, one row per run.
  const SweepView* v = open_sweep_view(app);
  ASSERT_NE(v, nullptr) << app.status_text();
  EXPECT_EQ(v->kind, "comparison");
  ASSERT_EQ(v->figures.size(), 1u);
  EXPECT_GT(v->figures[0].w, 100);
  int runs_found = 0;
  for (const auto& row : v->table)
    if (!row.empty() && (row[0] == "MeZO" || row[0] == "Adam")) {
      ++runs_found;
      EXPECT_GT(row.size(), 5u);
    }
  EXPECT_EQ(runs_found, 2);
  h.frame(2);
  png_write(out_path("llm_compare_window.png"), h.read_frame());  // to look at
  EXPECT_NE(app.status_text().find("comparison written"), std::string::npos) << app.status_text();
  StopFollowing(app);

  // The same folder again: refused in one line (it holds a comparison).
  EXPECT_FALSE(run_compare(app, req, &err));
  EXPECT_NE(err.find("already holds"), std::string::npos) << err;

  // Cancelled: the command's whole process group is gone, and the status line says how to
  // continue the folder.
  req.dir = dir + "-cancelled";
  req.seeds = 20;
  fs::remove_all(req.dir);
  ASSERT_TRUE(run_compare(app, req, &err)) << err;
  h.frame(2);
  cancel_compare(app);
  ASSERT_TRUE(wait_compare(h, 30));
  EXPECT_NE(app.status_text().find("--resume"), std::string::npos) << app.status_text();
  EXPECT_FALSE(fs::exists(fs::path(req.dir) / "table.txt"));
  StopFollowing(app);
  ::unsetenv("ZOSCOPE_CLI");
}

// The Plots panel's titles fit their plots in the default window and a 1024 x 768 one (they
// ended in "..." there: "step size per dimension (q25..q75, m..."); the shortened ones say
// the whole title on hover. The per-tensor heatmap is on screen without scrolling.
TEST(GuiLlmScene, PlotTitlesFitTheirPlotsAndTheHeatmapIsOnScreen) {
  for (const auto& [w, hgt] : {std::pair<int, int>{1280, 800}, {1024, 768}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(hgt));
    Harness h(w, hgt, tiny_experiment());
    App& app = h.app();
    h.frame(3);
    for (int cos = 0; cos < 2; ++cos) {
      if (cos) {
        h.click(h.centre("plots/llm_cos"));
        h.frame(2);
      }
      const std::array<LineChart, 4> charts = plots_panel_charts(app);
      const char* const ids[4] = {"loss", "alpha", "cos", "path"};
      for (size_t p = 0; p < 4; ++p) {
        const plot::PlotState* st = plots_panel_state(ids[p]);
        ASSERT_NE(st, nullptr);
        EXPECT_EQ(st->title_drawn, charts[p].title) << ids[p];
        ImVec2 a, b;
        ASSERT_TRUE(app.item_rect(std::string("plots/") + ids[p], a, b));
        EXPECT_LE(ImGui::CalcTextSize(st->title_drawn.c_str()).x, b.x - a.x) << ids[p];
      }
      EXPECT_FALSE(plots_panel_state("alpha")->title_tip.empty());
      EXPECT_FALSE(plots_panel_state("cos")->title_tip.empty());
    }
    // The per-tensor heatmap is on screen under the four plots (it lay below the fold).
    EXPECT_TRUE(visible_in(app, "plots/tensors", "Plots"));
    ImVec2 a, b;
    ASSERT_TRUE(app.item_rect("plots/tensors", a, b));
    EXPECT_GE(b.y - a.y, 3 * ImGui::GetFontSize());
  }
}

// A model that failed to load: each run says it did not start and why, not "computing...".
TEST(GuiLlmScene, RunsThatNeverStartedSaySo) {
  Harness h(1280, 800, write_experiment("llm_bad_pending", "/nonexistent/model", kData + "/tokenizers/opt-style"));
  App& app = h.app();
  ASSERT_TRUE(app.wait_idle(120));
  h.frame(3);
  ASSERT_EQ(app.llm()->phase(), "error");
  EXPECT_EQ(run_pending_text(app, 0), "not started: model failed to load");
  ImVec2 a, b;
  EXPECT_TRUE(app.item_rect("runs/0/pending", a, b));  // drawn under the run
  // No rows ever: the plots span the budget (12 steps; then 60 forward passes), not 0..1.
  expect_plots_span(12);
  app.set_budget(true, 60);
  h.frame(3);
  expect_plots_span(60);
}

}  // namespace zs::gui::test
