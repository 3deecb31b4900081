// Reading and writing run directories.
#include "core/io/run_files.h"
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include "core/run/runner.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"
#include "core/version.h"

namespace zs {

std::string runs_summary_json(const Experiment& e, const std::vector<RunRecord>& runs) {
  using nlohmann::json;
  auto num = [](double v) -> json { return std::isfinite(v) ? json(v) : json(nullptr); };
  json out;
  out["zoscope_version"] = ZOSCOPE_VERSION;
  out["experiment_hash"] = experiment_hash(e);
  out["seed"] = e.seed;
  if (std::isfinite(e.target_loss)) out["target_loss"] = e.target_loss;
  json arr = json::array();
  for (const auto& r : runs) {
    double min_loss = INFINITY;
    for (const auto& row : r.rows)
      if (std::isfinite(row.loss)) min_loss = std::min(min_loss, row.loss);
    json o = {{"run", r.index},
              {"label", r.label},
              {"optimizer", r.optimizer},
              {"hyperparameters", r.hp},
              {"steps", r.rows.empty() ? 0 : r.rows.back().step},
              {"forward_passes", r.rows.empty() ? 0 : r.rows.back().fp},
              {"backward_passes", r.rows.empty() ? 0 : r.rows.back().bp},
              {"final_loss", num(r.final_loss())},
              {"min_loss", num(min_loss)},
              {"path_length", r.rows.empty() ? 0.0 : r.rows.back().path_length},
              {"memory_p", r.memory_p},
              {"memory_bytes", r.memory_bytes},
              {"fp_per_step", r.fp_per_step},
              {"diverged", r.diverged}};
    if (r.diverged) {
      o["diverged_step"] = r.diverged_step;
      o["diverge_reason"] = r.diverge_reason;
    }
    if (std::isfinite(e.target_loss)) {
      const int64_t f = r.fp_to_reach(e.target_loss);
      o["fp_to_target"] = f >= 0 ? json(f) : json(nullptr);
    }
    if (!r.final_x.empty() && r.final_x.size() <= 16) o["final_x"] = r.final_x;
    arr.push_back(o);
  }
  out["runs"] = arr;
  return out.dump(2) + "\n";
}

namespace {

// The data files of a run folder, in the manifest and checked by run_dir_read.
const char* const kRunFiles[] = {"experiment.json", "runs.csv", "runs.jsonl", "summary.json"};

}  // namespace

std::vector<std::string> run_dir_write(const std::string& dir, const Experiment& e, const std::vector<RunRecord>& runs,
                                       const RunDirOptions& o) {
  make_dirs(dir);
  const std::filesystem::path d(dir);
  // The folder is one unit: the old manifest goes first and the new one is written last,
  // so a kill or a full disk in between leaves a folder that run_dir_read refuses instead
  // of a mix of two runs' files.
  std::error_code ec;
  std::filesystem::remove(d / "manifest.json", ec);
  if (ec) fail((d / "manifest.json").string(), "cannot remove the old manifest: " + ec.message());
  std::vector<std::string> written;
  nlohmann::ordered_json manifest;
  manifest["zoscope_run"] = 1;
  manifest["experiment_hash"] = experiment_hash(e);
  manifest["files"] = nlohmann::ordered_json::object();
  auto put = [&](const char* name, const std::string& data) {
    const std::string p = (d / name).string();
    atomic_write(p, data);
    written.push_back(p);
    manifest["files"][name] = {{"bytes", data.size()}, {"fnv1a64", fnv1a64_hex(data)}};
  };
  put("experiment.json", experiment_to_json(e).dump(2) + "\n");
  put("runs.csv", records_to_csv(runs));
  put("runs.jsonl", records_to_jsonl(runs));
  put("summary.json", runs_summary_json(e, runs));
  if (o.png || o.svg) {
    RunDir rd{e, runs};
    const std::string png = o.png ? (d / "figure.png").string() : "";
    const std::string svg = o.svg ? (d / "figure.svg").string() : "";
    run_dir_render(rd, png, svg, o.width, o.height, o.threads);
    if (o.png) written.push_back(png);
    if (o.svg) written.push_back(svg);
  }
  const std::string mp = (d / "manifest.json").string();
  atomic_write(mp, manifest.dump(1) + "\n");
  written.push_back(mp);
  return written;
}

namespace {

// zs::Error when data file `name` of run folder `d` is not what the run wrote by manifest
// `m`: "has N of the M bytes the run wrote" when shorter, else "differs".
void check_listed_file(const std::filesystem::path& d, const nlohmann::json& m, const char* name) {
  const std::string mp = (d / "manifest.json").string();
  const auto f = m["files"].find(name);
  if (f == m["files"].end() || !f->is_object() || !f->contains("fnv1a64")) fail(mp, std::string("does not list ") + name);
  const std::string p = (d / name).string();
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) fail(p, "missing (listed in manifest.json); run the experiment again");
  const std::string data = read_file(p);
  if (fnv1a64_hex(data) == (*f)["fnv1a64"]) return;
  const auto bytes = f->find("bytes");
  if (bytes != f->end() && bytes->is_number_unsigned() && data.size() < bytes->get<uint64_t>())
    fail(p, "has " + std::to_string(data.size()) + " of the " + std::to_string(bytes->get<uint64_t>()) +
                " bytes the run wrote (manifest.json): cut short, or from another run; run the experiment again");
  fail(p, "differs from the file the run wrote (manifest.json): changed since, or the folder mixes files of two runs; "
          "run the experiment again");
}

// The manifest of run folder `d` when it exists and reads as one (else null).
nlohmann::json manifest_if_any(const std::filesystem::path& d) {
  try {
    const std::string mp = (d / "manifest.json").string();
    std::error_code ec;
    if (!std::filesystem::exists(mp, ec)) return nullptr;
    nlohmann::json m = json_load(mp);
    if (m.is_object() && m.contains("files") && m["files"].is_object()) return m;
  } catch (const std::exception&) {
  }
  return nullptr;
}

// `parse()`, whose zs::Error for data file `name` becomes the manifest's account of that
// file when the manifest lists it otherwise (a file cut short is named as cut, not by
// whatever its parser meets first: "not a zoscope runs.csv (unexpected header)").
template <class F>
auto parse_listed(const std::filesystem::path& d, const char* name, F&& parse) {
  try {
    return parse();
  } catch (const Error&) {
    if (const nlohmann::json m = manifest_if_any(d); !m.is_null()) check_listed_file(d, m, name);
    throw;
  }
}

}  // namespace

RunDir run_dir_read(const std::string& dir) {
  const std::filesystem::path d(dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(d, ec)) fail(dir, "not a run directory (expected the --out folder of `zoscope-cli run`)");
  RunDir rd;
  rd.experiment = parse_listed(d, "experiment.json", [&] { return experiment_load((d / "experiment.json").string()); });
  const std::string csv = (d / "runs.csv").string();
  rd.runs = parse_listed(d, "runs.csv", [&] { return records_from_csv(read_file(csv), csv); });
  // Everything but the rows as the run had it: from the same constructor, which resets the
  // optimizer on the landscape (a fresh optimizer may report other memory, e.g. AdaNAGED-P).
  const Scene scene = scene_make(rd.experiment);
  for (auto& r : rd.runs) {
    if (r.index < 0 || r.index >= static_cast<int>(rd.experiment.runs.size()))
      fail(csv, "run index " + std::to_string(r.index) + " has no entry in experiment.json");
    const RunStepper fresh(rd.experiment, scene, r.index);
    const RunRecord& f = fresh.record();
    r.colour = f.colour;
    r.visible = f.visible;
    r.hp = f.hp;
    r.memory_p = f.memory_p;
    r.memory_bytes = f.memory_bytes;
    r.fp_per_step = f.fp_per_step;
    r.bp_per_step = f.bp_per_step;
    r.legend = f.legend;
  }
  // runs.csv has no divergence column: the marks (a cross at the last point) come from
  // summary.json, or a re-rendered figure would draw a diverged run as a finished one.
  const std::string sum = (d / "summary.json").string();
  const nlohmann::json sj = parse_listed(d, "summary.json", [&] { return json_parse(read_file(sum), sum); });
  if (!sj.is_object() || !sj.contains("runs") || !sj["runs"].is_array())
    fail(sum, "not a zoscope summary (expected an object with a \"runs\" array)");
  for (size_t i = 0; i < sj["runs"].size(); ++i) {
    const nlohmann::json& o = sj["runs"][i];
    const std::string at = "runs[" + std::to_string(i) + "]";
    if (!o.is_object() || !o.contains("run") || !o["run"].is_number_integer() || !o.contains("diverged") ||
        !o["diverged"].is_boolean())
      fail(sum + ": " + at, "expected an object with integer \"run\" and boolean \"diverged\"");
    if (!o["diverged"].get<bool>()) continue;
    const int64_t idx = o["run"].get<int64_t>();
    auto it = std::find_if(rd.runs.begin(), rd.runs.end(), [&](const RunRecord& r) { return r.index == idx; });
    if (it == rd.runs.end()) fail(sum + ": " + at + ".run", "run " + std::to_string(idx) + " has no rows in runs.csv");
    it->diverged = true;
    if (o.contains("diverged_step") && o["diverged_step"].is_number_integer())
      it->diverged_step = o["diverged_step"].get<int64_t>();
    if (o.contains("diverge_reason") && o["diverge_reason"].is_string())
      it->diverge_reason = o["diverge_reason"].get<std::string>();
  }
  // The files belong to one run: the manifest (written last) lists each data file's size
  // and hash and the experiment's hash.
  const std::string mp = (d / "manifest.json").string();
  if (!std::filesystem::exists(mp, ec))
    fail(mp, "missing: the run that wrote this folder did not finish (or an older zoscope wrote it); run the experiment again");
  const nlohmann::json m = json_load(mp);
  const std::string h = experiment_hash(rd.experiment);
  if (!m.is_object() || !m.contains("experiment_hash") || !m["experiment_hash"].is_string() || !m.contains("files") ||
      !m["files"].is_object())
    fail(mp, "not a zoscope run manifest (expected experiment_hash and files)");
  if (m["experiment_hash"].get<std::string>() != h)
    fail(mp, "experiment_hash " + m["experiment_hash"].get<std::string>() + " does not match experiment.json (" + h +
                 "): the folder mixes files of two runs; run the experiment again");
  if (!sj.contains("experiment_hash") || !sj["experiment_hash"].is_string() || sj["experiment_hash"].get<std::string>() != h)
    fail(sum, "belongs to another experiment than experiment.json (experiment_hash differs); run the experiment again");
  for (const char* name : kRunFiles) check_listed_file(d, m, name);
  return rd;
}

void run_dir_render(const RunDir& rd, const std::string& png_path, const std::string& svg_path, int width, int height,
                    int threads) {
  const Experiment& e = rd.experiment;
  const int w = width > 0 ? width : e.export_style.width;
  const int h = height > 0 ? height : e.export_style.height;
  const Scene s = scene_make(e);
  const Figure fig = figure_make_filled(e, s, rd.runs, w, h, threads);
  if (!png_path.empty()) png_write(png_path, figure_render_image(fig, w, h));
  if (!svg_path.empty()) atomic_write(svg_path, figure_render_svg(fig, w, h));
}

}  // namespace zs
