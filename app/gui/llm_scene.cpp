// The "Language model" scene (see llm_scene.h): the model's settings panel, the live
// trainer behind it, and the loss plane as the view's landscape.
#include "app/gui/llm_scene.h"
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <type_traits>
#include <unordered_map>
#include <nlohmann/json.hpp>
#include "app/gui/app.h"
#include "app/gui/text_wrap.h"
#include "core/export/colormap.h"
#include "core/landscape/grid_landscape.h"
#include "core/llm/io/finetune_spec.h"
#include "core/llm/io/live_logs.h"
#include "core/llm/torch/live.h"
#include "core/opt/optimizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

extern "C" const char zs_llm_sentiment[];
extern "C" const char zs_llm_sentiment_end[];

namespace zs::gui {

const char* llm_support_note() { return ""; }

const char* const kLlmFolderHint = "OPT / LLaMA folder, Enter to load";
const char* const kLlmTokenizerHint = "same as the model";
const char* const kLlmDataHint = "GLUE / SQuAD files";

std::string llm_model_preview(const std::string& model) {
  if (model == "default") return "model: default (embedded)";
  std::filesystem::path p(model);
  if (!p.has_filename()) p = p.parent_path();  // "dir/" names dir
  return "model: " + (p.filename().empty() ? model : p.filename().string());
}

namespace {

const char* kTasks[] = {"sentiment", "sst2", "rte", "cb", "boolq", "copa", "squad"};
const char* kModes[] = {"full", "lora", "adazeta"};
const char* kDtypes[] = {"fp32", "bf16", "fp16"};

// Run labels become folder names in fine-tuning specs: [A-Za-z0-9_.-]+, unique.
std::vector<std::string> spec_labels(const std::vector<RunSpec>& runs) {
  std::vector<std::string> out;
  for (const RunSpec& r : runs) {
    std::string l;
    for (char c : r.label) l += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '_';
    if (l.empty()) l = r.optimizer;
    std::string u = l;
    for (int k = 2; std::find(out.begin(), out.end(), u) != out.end(); ++k) u = l + "_" + std::to_string(k);
    out.push_back(u);
  }
  return out;
}

// The fine-tuning spec of the app's model (runs and budget from the experiment).
nlohmann::ordered_json spec_json(const Model& m) {
  const LlmSettings& c = m.llm_cfg;
  nlohmann::ordered_json j;
  j["zoscope_finetune"] = 1;
  j["model"] = c.model;
  if (!c.tokenizer.empty()) j["tokenizer"] = c.tokenizer;
  j["task"] = c.task;
  j["data"] = {{"dir", c.data_dir}, {"seed", c.data_seed}, {"train", c.n_train}, {"dev", c.n_dev}, {"test", 1}};
  j["max_length"] = c.max_length;
  j["mode"] = c.mode;
  j["dtype"] = c.dtype;
  j["device"] = c.device;
  j["batch_size"] = c.batch_size;
  j["seed"] = c.seed;
  if (m.exp.max_steps > 0) j["budget"] = {{"steps", m.exp.max_steps}};
  else j["budget"] = {{"forward_passes", m.exp.max_fp}};
  j["eval_every"] = c.eval_every;
  j["eval_examples"] = c.eval_examples;
  j["runs"] = nlohmann::ordered_json::array();
  const std::vector<std::string> labels = spec_labels(m.exp.runs);
  for (size_t i = 0; i < m.exp.runs.size(); ++i) {
    const RunSpec& r = m.exp.runs[i];
    nlohmann::ordered_json hp = nlohmann::ordered_json::object();
    for (const auto& [k, v] : r.hp) hp[k] = v;
    j["runs"].push_back({{"optimizer", r.optimizer}, {"hyperparameters", hp}, {"label", labels[i]}});
    if (i < c.cosine_every.size() && c.cosine_every[i] > 0) j["runs"].back()["cosine_every"] = c.cosine_every[i];
  }
  return j;
}

std::string bytes_text(int64_t b) {
  char buf[32];
  if (b < 1024) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  else if (b < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KB", b / 1024.0);
  else if (b < 1024LL * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f MB", b / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.2f GB", b / 1073741824.0);
  return buf;
}

bool combo(const char* label, std::string& value, const char* const* items, int n) {
  bool changed = false;
  if (ImGui::BeginCombo(label, value.c_str())) {
    for (int k = 0; k < n; ++k)
      if (ImGui::Selectable(items[k], value == items[k])) {
        changed = value != items[k];
        value = items[k];
      }
    ImGui::EndCombo();
  }
  return changed;
}

// A number field applied when it is left (Enter, Tab or a click elsewhere), not on every
// keystroke (each value restarts runs): the edit is kept while the field is active. With
// ImGui's EnterReturnsTrue alone a value typed and left with a click was dropped silently,
// and the seeds, applied per keystroke, reloaded the model once per digit.
template <class T>
bool number_field(const char* label, T& v, T lo, T hi) {
  static std::unordered_map<ImGuiID, T> edits;
  const ImGuiID id = ImGui::GetID(label);
  const auto it = edits.find(id);
  T x = it != edits.end() ? it->second : v;
  constexpr ImGuiDataType type = std::is_same_v<T, uint64_t> ? ImGuiDataType_U64 : ImGuiDataType_S64;
  ImGui::InputScalar(label, type, &x, nullptr, nullptr, type == ImGuiDataType_U64 ? "%llu" : "%lld");
  if (ImGui::IsItemActive()) {
    edits[id] = x;
    return false;
  }
  edits.erase(id);
  if (!ImGui::IsItemDeactivatedAfterEdit()) return false;
  v = std::clamp(x, lo, hi);
  return true;
}
bool int_field(const char* label, int64_t& v, int64_t lo, int64_t hi) { return number_field<int64_t>(label, v, lo, hi); }

// A folder field that shows the setting (a loaded experiment's tokenizer or data folder)
// and applies an edit on Enter; an edit left without Enter goes back to the setting.
struct PathEdit {
  std::string text;
  bool editing = false;
};
void path_field(const char* label, const char* hint, std::string& value, PathEdit& edit) {
  if (!edit.editing) edit.text = value;
  const bool enter = ImGui::InputTextWithHint(label, hint, &edit.text, ImGuiInputTextFlags_EnterReturnsTrue);
  edit.editing = ImGui::IsItemActive();
  if (enter) value = edit.text;
}

void disabled_text_wrapped(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  text_wrapped_at_spaces(text);
  ImGui::PopStyleColor();
}

// A plane whose loss is the same at every node (to float resolution) is drawn in one
// colour: say so, and why where the reason is known. LoRA's B matrices start at zero
// (core/llm/torch/model.cpp), and a random direction is scaled row by row to the initial
// weights (docs/llm-live.md, plane (a)): B's directions are zero, so moving along the plane
// changes A alone, and B A stays zero.
std::string flat_plane_note(const std::vector<float>& v, const std::string& kind, const std::string& mode) {
  float lo = INFINITY, hi = -INFINITY;
  for (float x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(lo <= hi) || hi - lo > 1e-6f * std::max(1.f, std::fabs(hi))) return "";
  char buf[96];
  std::snprintf(buf, sizeof buf, "The loss is %.4g everywhere on this plane.", static_cast<double>(lo));
  std::string s = buf;
  if (mode == "lora" && kind != "runs")
    s += " In LoRA mode the B matrices start at zero and random directions scaled to the initial weights leave them "
         "there, so the output does not change along the plane; the plane through two runs' endpoints shows where "
         "the runs went.";
  return s;
}

class LlmSceneImpl : public LlmScene {
 public:
  void load(App& app, const std::string& name_or_path) override {
    plane_scene_runs_.clear();  // another experiment's runs: its plane runs are as it gives them
    std::string text, file = name_or_path;
    if (name_or_path.rfind("preset:", 0) == 0) {
      if (name_or_path != "preset:llm_sentiment") fail(name_or_path, "no such LLM preset (known: llm_sentiment)");
      text.assign(zs_llm_sentiment, zs_llm_sentiment_end);
    } else {
      text = read_file(name_or_path);
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      fail(file, std::string("not valid JSON: ") + e.what());
    }
    // The app's extras (run colours and visibility, the plane) are not part of the spec.
    std::vector<std::pair<uint32_t, bool>> styles;
    if (j.is_object() && j.contains("runs") && j["runs"].is_array())
      for (size_t i = 0; i < j["runs"].size(); ++i) {
        nlohmann::json& r = j["runs"][i];
        uint32_t colour = default_run_colour(static_cast<int>(i));
        bool visible = true;
        if (r.is_object()) {
          if (r.contains("colour")) {
            const std::string h = r["colour"].is_string() ? r["colour"].get<std::string>() : "";
            if (h.size() != 7 || h[0] != '#') fail(file + ": runs[" + std::to_string(i) + "].colour", "expected \"#RRGGBB\"");
            colour = static_cast<uint32_t>(std::stoul(h.substr(1), nullptr, 16));
            r.erase("colour");
          }
          if (r.contains("visible")) {
            if (!r["visible"].is_boolean()) fail(file + ": runs[" + std::to_string(i) + "].visible", "expected true or false");
            visible = r["visible"].get<bool>();
            r.erase("visible");
          }
        }
        styles.push_back({colour, visible});
      }
    LlmSettings cfg;
    if (j.is_object() && j.contains("view")) {
      const nlohmann::json& v = j["view"];
      if (v.contains("plane_grid") && v["plane_grid"].is_number_integer())
        cfg.plane_grid = std::clamp(v["plane_grid"].get<int>(), 3, 41);
      if (v.contains("plane_seed") && v["plane_seed"].is_number_unsigned()) cfg.plane_seed = v["plane_seed"].get<uint64_t>();
      if (v.contains("plane")) {
        if (!v["plane"].is_string() || (v["plane"] != "random" && v["plane"] != "runs"))
          fail(file + ": view.plane", "expected \"random\" or \"runs\", got " + v["plane"].dump());
        cfg.plane = v["plane"].get<std::string>();
      }
      if (v.contains("plane_runs")) {
        const nlohmann::json& pr = v["plane_runs"];
        const size_t n = j.contains("runs") && j["runs"].is_array() ? j["runs"].size() : 0;
        if (!pr.is_array() || pr.size() != 2 || !pr[0].is_number_unsigned() || !pr[1].is_number_unsigned() ||
            pr[0].get<size_t>() >= n || pr[1].get<size_t>() >= n || pr[0] == pr[1])
          fail(file + ": view.plane_runs", "expected two different run indices below " + std::to_string(n) + ", got " + pr.dump());
        cfg.plane_runs[0] = pr[0].get<int>();
        cfg.plane_runs[1] = pr[1].get<int>();
      }
      j.erase("view");
    }
    const FinetuneSpec spec = finetune_spec_parse(j.dump(), file);  // validates everything else
    cfg.model = spec.model;
    cfg.tokenizer = spec.tokenizer;
    cfg.task = spec.task;
    cfg.data_dir = spec.data_dir;
    cfg.mode = spec.mode;
    cfg.dtype = spec.dtype;
    cfg.device = spec.device;
    cfg.batch_size = spec.batch_size;
    cfg.max_length = spec.max_length;
    cfg.n_train = spec.n_train;
    cfg.n_dev = spec.n_dev;
    cfg.eval_every = spec.eval_every;
    cfg.eval_examples = spec.eval_examples > 0 ? spec.eval_examples : spec.n_dev;
    cfg.seed = spec.seed;
    cfg.data_seed = spec.data_seed;
    for (const FinetuneRun& r : spec.runs) cfg.cosine_every.push_back(r.cosine_every);
    cfg.recent_models = app.model().llm_cfg.recent_models;
    Model& m = app.model();
    Experiment e;
    e.name = name_or_path.rfind("preset:", 0) == 0 ? name_or_path.substr(7) : std::filesystem::path(file).stem().string();
    e.max_steps = spec.steps > 0 ? spec.steps : 0;
    e.max_fp = spec.steps > 0 ? 0 : spec.forward_passes;
    e.view.colormap = m.exp.view.colormap;
    for (size_t i = 0; i < spec.runs.size(); ++i) {
      RunSpec r;
      r.optimizer = spec.runs[i].optimizer;
      r.hp = spec.runs[i].hp;
      r.label = spec.runs[i].label;
      if (i < styles.size()) {
        r.colour = styles[i].first;
        r.visible = styles[i].second;
      } else {
        r.colour = default_run_colour(static_cast<int>(i));
      }
      e.runs.push_back(std::move(r));
    }
    m.exp = std::move(e);
    m.llm = true;
    m.llm_cfg = cfg;
    key_.clear();
    log_dir_.clear();  // a new experiment: a new folder of step logs
    resume_ = false;
    error_.clear();
  }

  void continue_logged(App& app, const std::string& dir) override {
    if (!app.load_experiment(dir + "/spec.json")) return;  // the status bar has the line
    app.model().exp.name = std::filesystem::path(dir).filename().string();
    app.model().exp_path.clear();  // saving must not overwrite the session's spec.json
    log_dir_ = dir;  // the runs go on in their own logs
    resume_ = true;
    key_.clear();
    logs_scanned_ = false;
  }

  std::string spec_text(const App& app) const override { return spec_json(app.model()).dump(1) + "\n"; }

  std::string to_json(const App& app) const override {
    nlohmann::ordered_json j = spec_json(app.model());
    for (size_t i = 0; i < app.exp().runs.size(); ++i) {
      j["runs"][i]["colour"] = colour_to_hex(app.exp().runs[i].colour);
      j["runs"][i]["visible"] = app.exp().runs[i].visible;
    }
    const LlmSettings& c = app.model().llm_cfg;
    j["view"] = {{"plane_grid", c.plane_grid}, {"plane_seed", c.plane_seed}, {"plane", c.plane}};
    // A followed run as A or B is not part of the experiment: such a plane is not saved.
    const int n = static_cast<int>(app.exp().runs.size());
    if (c.plane == "runs" && (c.plane_runs[0] >= n || c.plane_runs[1] >= n)) j["view"]["plane"] = "random";
    else if (c.plane == "runs") j["view"]["plane_runs"] = {c.plane_runs[0], c.plane_runs[1]};
    return j.dump(1) + "\n";
  }

  // A followed run chosen as plane run A or B is an index past the scene's runs into the
  // label-sorted followed list: when that list (or the number of scene runs) changes under
  // a choice the user did not change, the index follows the run's label.
  // The label of plane run index i when it names a followed run (past the n scene runs),
  // else "".
  std::string followed_at(int i, int n) const {
    return i >= n && i - n < static_cast<int>(followed_labels_.size()) ? followed_labels_[static_cast<size_t>(i - n)] : "";
  }

  // The plane runs are indices into the scene's runs (then the followed ones): a run added
  // or removed before one of them moved the choice onto another run, and removing a chosen
  // run left an index past the end (the axes read "toward ?'s"). The indices follow their
  // runs; a removed plane run is replaced by the first other run.
  void keep_plane_runs_on_their_runs(Model& m) {
    std::vector<std::string> now;
    for (const RunSpec& r : m.exp.runs) now.push_back(r.optimizer + "\x1f" + r.label);
    const int n_old = static_cast<int>(plane_scene_runs_.size()), n = static_cast<int>(now.size());
    if (!plane_scene_runs_.empty() && std::abs(n - n_old) == 1) {
      const auto [a, b] = std::mismatch(plane_scene_runs_.begin(), plane_scene_runs_.end(), now.begin(), now.end());
      const int d = static_cast<int>(n < n_old ? a - plane_scene_runs_.begin() : b - now.begin());
      const int all = n + static_cast<int>(followed_labels_.size());
      int* pr = m.llm_cfg.plane_runs;
      for (int k = 0; k < 2; ++k) {
        if (n > n_old && pr[k] >= d) ++pr[k];  // inserted at d
        else if (n < n_old && pr[k] > d) --pr[k];
        else if (n < n_old && pr[k] == d) pr[k] = -1;  // removed
      }
      for (int k = 0; k < 2; ++k)
        for (int i = 0; pr[k] < 0 && i < all; ++i)
          if (i != pr[1 - k]) pr[k] = i;
    }
    plane_scene_runs_ = std::move(now);
  }

  void keep_followed_plane_runs(Model& m) {
    keep_plane_runs_on_their_runs(m);
    const int n = static_cast<int>(m.exp.runs.size());
    for (int k = 0; k < 2; ++k) {
      int& ri = m.llm_cfg.plane_runs[k];
      if (ri == plane_pick_index_[k] && !plane_pick_label_[k].empty()) {
        const auto it = std::find(followed_labels_.begin(), followed_labels_.end(), plane_pick_label_[k]);
        if (it != followed_labels_.end()) ri = n + static_cast<int>(it - followed_labels_.begin());
      }
      plane_pick_index_[k] = ri;
      plane_pick_label_[k] = followed_at(ri, n);
    }
  }

  void sync(App& app) override {
    keep_followed_plane_runs(app.model());
    const Model& m = app.model();
    nlohmann::ordered_json j = spec_json(m);
    const std::string spec_text = j.dump();
    std::string key = spec_text + "|" + std::to_string(m.llm_cfg.plane_grid) + "|" + std::to_string(m.llm_cfg.plane_seed) +
                      "|" + m.llm_cfg.plane + std::to_string(m.llm_cfg.plane_runs[0]) + "," + std::to_string(m.llm_cfg.plane_runs[1]);
    for (const RunSpec& r : m.exp.runs) key += "|" + std::to_string(r.colour) + (r.visible ? "v" : "h") + r.label;
    if (key == key_) return;
    key_ = key;
    try {
      LiveConfig c;
      c.spec = finetune_spec_parse(spec_text, m.exp.name.empty() ? "LLM scene" : m.exp.name);
      for (const RunSpec& r : m.exp.runs) c.styles.push_back({r.colour, r.visible});
      c.plane_fine = m.llm_cfg.plane_grid;
      c.plane_seed = m.llm_cfg.plane_seed;
      c.plane = m.llm_cfg.plane;
      c.log_dir = log_dir(app);
      c.resume = resume_;
      c.plane_runs[0] = m.llm_cfg.plane_runs[0];
      c.plane_runs[1] = m.llm_cfg.plane_runs[1];
      labels_.clear();
      for (const RunSpec& r : m.exp.runs) labels_.push_back(r.label);
      trainer_.configure(c);  // its snapshots say "starting" until the worker takes it
      // Busy from now on, not once the worker's first snapshot arrives: a headless frame
      // in between saw an idle scene and took the screenshot before the runs had started.
      snap_.phase = "starting";
      last_cfg_ = c;
      error_.clear();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  bool poll(Results& res, std::shared_ptr<Scene>& scene) override {
    if (!trainer_.poll(snap_)) return false;
    res.runs = snap_.runs;
    res.previous = snap_.previous;
    for (size_t i = 0; i < res.runs.size() && i < labels_.size(); ++i) res.runs[i].label = labels_[i];
    ++res.runs_serial;
    res.runs_complete = snap_.phase == "done" || snap_.phase == "error";
    res.runs_error = snap_.error;
    if (snap_.phase == "error" && plane_.nx >= 2) {
      // A model that did not load has no plane: the last model's loss stayed in the view,
      // as if it were this one's.
      drop_plane(res, scene, "no loss plane (the model did not load)");
    }
    // The trainer publishes a plane's name with its grid (LiveSnapshot::plane_kind): after
    // it goes from one plane to the other (a run restarted or every run finished, on the
    // plane through two runs' endpoints) the snapshot has no grid until the new plane's
    // first one is measured, and the old plane's grid leaves the view.
    if (snap_.phase != "error" && snap_.plane.nx < 2 && plane_.nx >= 2 && snap_.plane_kind != plane_kind_) {
      drop_plane(res, scene, "loss plane (computing)");
    } else if (snap_.phase != "error" && snap_.plane.nx >= 2 &&
               (snap_.plane.v != plane_.v || snap_.plane.nx != plane_.nx || snap_.plane_kind != plane_kind_ ||
                !std::equal(snap_.plane_domain, snap_.plane_domain + 4, plane_.domain))) {
      plane_kind_ = snap_.plane_kind;
      plane_ = snap_.plane;
      std::copy(snap_.plane_domain, snap_.plane_domain + 4, plane_.domain);
      auto s = std::make_shared<Scene>();
      const LiveConfig& c = last_cfg_;
      const auto label = [&](int i) {
        const int n = static_cast<int>(labels_.size());
        if (const std::string f = followed_at(i, n); !f.empty()) return f + " (followed)";
        return i >= 0 && i < n ? labels_[static_cast<size_t>(i)] : std::string("?");
      };
      const PlaneNames names = plane_kind_ == "runs" ? plane_names(true, label(c.plane_runs[0]), label(c.plane_runs[1]))
                                                     : plane_names(false);
      const std::string& what = names.what;
      axis_x_ = names.x;
      axis_y_ = names.y;
      plane_note_ = flat_plane_note(plane_.v, plane_kind_, last_cfg_.spec.mode);
      const std::string rounding =
          plane_resolution_note(last_cfg_.spec.dtype, (plane_.domain[1] - plane_.domain[0]) / (plane_.nx - 1));
      if (!rounding.empty()) plane_note_ += (plane_note_.empty() ? "" : " ") + rounding;
      s->landscape = landscape_from_grid(plane_.nx, plane_.ny, plane_.domain, plane_.v, what);
      s->start = Eigen::VectorXd::Zero(2);
      s->proj.kind = Projection::Identity;
      s->proj.origin = s->start;
      std::copy(plane_.domain, plane_.domain + 4, s->domain);
      scene = s;
      res.grid = std::make_shared<Grid>(plane_);
      res.scale = colour_scale(plane_.v, false);
      ++res.grid_serial;
    }
    return true;
  }

  // No plane in the view: the empty square it shows before a first plane, named `what`.
  void drop_plane(Results& res, std::shared_ptr<Scene>& scene, const char* what) {
    plane_ = Grid{};
    plane_kind_.clear();
    axis_x_.clear();
    axis_y_.clear();
    plane_note_.clear();
    auto empty = std::make_shared<Scene>();
    const double dom[4] = {-1, 1, -1, 1};
    empty->landscape = landscape_from_grid(2, 2, dom, {0, 0, 0, 0}, what);
    empty->start = Eigen::VectorXd::Zero(2);
    empty->proj.origin = empty->start;
    std::copy(dom, dom + 4, empty->domain);
    scene = empty;
    res.grid = nullptr;
    ++res.grid_serial;
  }

  void draw_panel(App& app) override {
    Model& m = app.model();
    LlmSettings& c = m.llm_cfg;
    draw_phase(app);
    const float w = -ImGui::GetFontSize() * 6.5f;
    ImGui::PushItemWidth(w);
    // Model: the embedded default, a typed folder, or a recent one.
    // The combo shows a short name (a folder's last component; the whole path on hover),
    // its list the full texts.
    const bool is_default = c.model == "default";
    const std::string preview = llm_model_preview(c.model);
    ImGui::SetNextItemWidth(-1);  // the whole row, as the folder field under it
    if (ImGui::BeginCombo("##model", preview.c_str())) {
      // A model picked here empties the folder field (it kept showing a folder typed
      // earlier, as if that were the model).
      if (ImGui::Selectable("default (embedded, 0.9M parameters, pretrained on first use)", is_default))
        c.model = "default", folder_edit_.clear();
      for (const std::string& r : c.recent_models)
        if (ImGui::Selectable(r.c_str(), r == c.model)) c.model = r, folder_edit_.clear();
      ImGui::EndCombo();
    }
    app.note_item("llm/model");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", is_default ? "the embedded default model: 0.9M parameters, pretrained on first use" : c.model.c_str());
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputTextWithHint("##folder", kLlmFolderHint, &folder_edit_, ImGuiInputTextFlags_EnterReturnsTrue) &&
        !folder_edit_.empty()) {
      c.model = folder_edit_;
      c.recent_models.erase(std::remove(c.recent_models.begin(), c.recent_models.end(), folder_edit_), c.recent_models.end());
      c.recent_models.insert(c.recent_models.begin(), folder_edit_);
      if (c.recent_models.size() > 8) c.recent_models.resize(8);
    }
    app.note_item("llm/folder");
    if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
      ImGui::SetTooltip("a local Hugging Face model folder (config.json and weights) of an OPT or LLaMA model;\n"
                        "Enter loads it and adds it to the model list");
    path_field("tokenizer", kLlmTokenizerHint, c.tokenizer, tokenizer_edit_);
    app.note_item("llm/tokenizer");
    if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
      ImGui::SetTooltip("%s", c.tokenizer.empty() ? "a separate tokenizer folder (Enter to use it); empty: the model's own tokenizer"
                                                  : c.tokenizer.c_str());
    combo("task", c.task, kTasks, 7);
    app.note_item("llm/task");
    if (c.task != "sentiment") {
      path_field("data folder", kLlmDataHint, c.data_dir, data_edit_);
      app.note_item("llm/data");
      if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
        ImGui::SetTooltip("%s", c.data_dir.empty() ? "the folder of the task's GLUE / SuperGLUE / SQuAD files; Enter to use it"
                                                   : c.data_dir.c_str());
    }
    combo("mode", c.mode, kModes, 3);
    combo("dtype", c.dtype, kDtypes, 3);
    app.note_item("llm/dtype");
    if (c.dtype == "fp16" && c.device == "cpu") {
      // LibTorch has no fast fp16 kernels on the CPU: the preset's MeZO ran 3.0 steps/s in
      // fp32, 1.1 in bf16 and 0.1 in fp16 (2-core CPU, four runs; fp16 looked like a hang).
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.75f, 0.35f, 1));
      text_wrapped_at_spaces("fp16 on the CPU has no fast kernels: many times slower than fp32 or bf16");
      ImGui::PopStyleColor();
      app.note_item("llm/fp16_cpu");
    }
    const std::string cuda = live_cuda_device_name();
    if (ImGui::BeginCombo("device", c.device == "cuda" ? ("cuda: " + cuda).c_str() : "cpu")) {
      if (ImGui::Selectable("cpu", c.device == "cpu")) c.device = "cpu";
      if (!cuda.empty() && ImGui::Selectable(("cuda: " + cuda).c_str(), c.device == "cuda")) c.device = "cuda";
      if (cuda.empty()) ImGui::TextDisabled("no CUDA device here");
      ImGui::EndCombo();
    }
    int_field("batch size", c.batch_size, 1, 4096);
    app.note_item("llm/batch_size");
    int_field("max length", c.max_length, 8, 8192);
    int_field("train examples", c.n_train, 1, 1000000);
    int_field("eval every", c.eval_every, 0, 1000000);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("steps between dev evaluations (0: none while training)");
    int_field("eval examples", c.eval_examples, 1, 1000000);
    number_field<uint64_t>("seed", c.seed, 0, UINT64_MAX);
    app.note_item("llm/seed");
    ImGui::SliderInt("plane grid", &c.plane_grid, 5, 41, "%d", ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("nodes per side of the refined loss plane (a 9 x 9 grid comes first)");
    number_field<uint64_t>("plane seed", c.plane_seed, 0, UINT64_MAX);
    // Plane (b): through the initial weights and the final weights of two runs.
    const char* kPlanes[] = {"random directions", "through two runs' endpoints"};
    int pk = c.plane == "runs" ? 1 : 0;
    if (ImGui::Combo("plane", &pk, kPlanes, 2)) c.plane = pk == 1 ? "runs" : "random";
    app.note_item("llm/plane");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("random: two seeded filter-normalised directions (Li et al. 2018)\n"
                        "runs: the plane through the initial weights and two runs' final weights,\n"
                        "built when every run has finished by replaying the runs' step logs");
    if (c.plane == "runs") {
      const int n = static_cast<int>(m.exp.runs.size());
      for (int k = 0; k < 2; ++k) {
        int& ri = c.plane_runs[k];
        // The scene's runs, then the followed ones (follow_run.h): a followed run's endpoint
        // is its replay's last step, once its log is complete.
        const int nf = static_cast<int>(followed_labels_.size());
        const auto name = [&](int i) {
          return i < n ? m.exp.runs[static_cast<size_t>(i)].label : followed_at(i, n) + " (followed)";
        };
        const std::string cur = ri >= 0 && ri < n + nf ? name(ri) : "(none)";
        if (ImGui::BeginCombo(k == 0 ? "run A" : "run B", cur.c_str())) {
          for (int i = 0; i < n + nf; ++i)
            if (ImGui::Selectable((name(i) + "##pr" + std::to_string(i)).c_str(), i == ri)) ri = i;
          ImGui::EndCombo();
        }
        app.note_item(k == 0 ? "llm/plane_run_a" : "llm/plane_run_b");
      }
    }
    // Per run: the cosine of the update with the backprop gradient every N steps.
    if (ImGui::TreeNode("cosine with the backprop gradient")) {
      c.cosine_every.resize(m.exp.runs.size(), 0);
      for (size_t i = 0; i < m.exp.runs.size(); ++i)
        int_field((m.exp.runs[i].label + "##cos" + std::to_string(i)).c_str(), c.cosine_every[i], 0, 1000000);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("steps between cosines (0: none); each costs one forward + backward pass,\n"
                          "shown in the third plot (cos(update, -gradient))");
      ImGui::TreePop();
    }
    app.note_item("llm/cosine");
    ImGui::PopItemWidth();
    if (!plane_note_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.75f, 0.35f, 1));
      text_wrapped_at_spaces(plane_note_);
      ImGui::PopStyleColor();
    }
    if (const std::string what = plane_measure(); !what.empty()) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextDisabled("plane: %s", what.c_str());
      ImGui::PopTextWrapPos();
      app.note_item("llm/plane_measure");
    }
    if (!snap_.plane_status.empty()) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextDisabled("%s", snap_.plane_status.c_str());
      ImGui::PopTextWrapPos();
      if (snap_.plane_status.find(" / ") != std::string::npos) {
        ImGui::SameLine();
        if (ImGui::SmallButton("cancel plane")) trainer_.cancel_plane();
        app.note_item("llm/cancel_plane");
      }
    }

    // Status: device and trainable parameters.
    ImGui::Spacing();
    ImGui::TextDisabled("%s%s%s", snap_.device.c_str(), snap_.trainable ? ", " : "",
                        snap_.trainable ? (fmt_double(static_cast<double>(snap_.trainable)) + " trainable parameters").c_str() : "");
    if (!log_dir_.empty()) {
      ImGui::TextDisabled("step logs: %s", log_dir_.c_str());
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("runs cut short (the app closed) continue with\nzoscope-cli finetune %s/spec.json --out %s --resume",
                          log_dir_.c_str(), log_dir_.c_str());
    }
    draw_logged_sessions(app);
  }

  // The phase at the top of the panel, where a newcomer looks first (at the panel's end it
  // lay below the fold of the default window): the model's loading or first-use pretraining
  // with its progress and a cancel button, the one-line error with "retry", and after a
  // cancel the way to load the model again.
  void draw_phase(App& app) {
    const std::string& ph = snap_.phase;
    const std::string& err = load_error();
    if (!err.empty()) {
      error_text(err);
      if (ImGui::SmallButton("retry")) key_.clear();
      app.note_item("llm/retry");
    } else if (ph == "loading model" || ph.rfind("pretraining", 0) == 0) {
      disabled_text_wrapped(ph);  // wrapped: a narrow panel clipped "(first use, cached)"
      app.note_item("llm/phase");
      const float cancel_w = ImGui::CalcTextSize("cancel").x + 2 * ImGui::GetStyle().FramePadding.x;
      ImGui::ProgressBar(static_cast<float>(snap_.progress),
                         ImVec2(-(cancel_w + ImGui::GetStyle().ItemSpacing.x), 0));
      app.note_item("llm/progress");
      ImGui::SameLine();
      if (ImGui::SmallButton("cancel")) trainer_.cancel();
      app.note_item("llm/cancel");
    } else if (ph == "idle" && !key_.empty()) {
      // LiveTrainer::cancel() leaves the trainer idle with no model: nothing trains until
      // the model is loaded again.
      ImGui::TextDisabled("model loading cancelled");
      ImGui::SameLine();
      if (ImGui::SmallButton("load again")) key_.clear();
      app.note_item("llm/load_again");
    } else if (!ph.empty()) {
      disabled_text_wrapped(ph);
    }
  }

  std::string run_status(int run) const override {
    if (run < 0 || run >= static_cast<int>(snap_.info.size()))
      return !load_error().empty() ? "not started: see the error in the Scene panel" : "waiting";
    const LiveRunInfo& in = snap_.info[static_cast<size_t>(run)];
    const RunRecord& r = snap_.runs[static_cast<size_t>(run)];
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s | %s optimizer state | %.3g FP/step | %.1f steps/s", live_run_state_name(in.state),
                  bytes_text(r.memory_bytes).c_str(), r.fp_per_step, in.steps_per_second);
    std::string s = buf;
    if (in.replayed > 0) s += "\ncontinued: " + std::to_string(in.replayed) + " logged steps replayed";
    if (!in.message.empty()) s += "\n" + in.message;
    return s;
  }
  bool run_active(int run) const override {
    if (run < 0 || run >= static_cast<int>(snap_.info.size())) return false;
    const LiveRunState st = snap_.info[static_cast<size_t>(run)].state;
    return st == LiveRunState::Running || st == LiveRunState::Paused;
  }
  bool run_paused(int run) const override {
    return run >= 0 && run < static_cast<int>(snap_.info.size()) &&
           snap_.info[static_cast<size_t>(run)].state == LiveRunState::Paused;
  }
  void control(int run, LlmControl c) override {
    if (c == LlmControl::Stop) trainer_.stop(run);
    else trainer_.set_paused(run, c == LlmControl::Pause);
  }
  bool busy() const override {
    return !key_.empty() && error_.empty() && snap_.phase != "done" && snap_.phase != "error" && snap_.phase != "idle";
  }
  bool wait_finished(double timeout_s) override { return trainer_.wait_finished(timeout_s); }
  std::string phase() const override { return snap_.phase; }
  // "" or the one line why the runs did not start (the scene's settings, or the model did
  // not load): at the top of the Scene panel, in the status bar and per run.
  const std::string& load_error() const { return !error_.empty() ? error_ : snap_.error; }
  void label_figure(Figure& fig) const override {
    if (axis_x_.empty()) return;  // no plane yet
    fig.xlabel = axis_x_;
    fig.ylabel = axis_y_;
    fig.colour_label = "loss";
  }
  std::string plane_note() const override { return plane_note_; }
  std::string plane_measure() const override { return plane_.nx >= 2 ? snap_.plane_measure : std::string(); }
  std::string runs_summary() const override {
    const size_t n = labels_.size();
    std::string s = std::to_string(n) + (n == 1 ? " run" : " runs");
    const std::string& ph = snap_.phase;
    if (ph == "loading model" || ph.rfind("pretraining", 0) == 0)  // with its progress bar's percentage
      return s + ": " + ph + " " + std::to_string(static_cast<int>(std::lround(100 * snap_.progress))) + "%";
    if (ph == "idle" && !key_.empty()) return s + ": model loading cancelled";
    if (ph == "starting") return s + ": starting";  // the runs' states are the last configuration's
    if (const std::string& err = load_error(); !err.empty()) return s + ": not started: " + err;
    if (snap_.info.size() != n) return s + (ph.empty() || ph == "idle" ? "" : ": " + ph);
    // Counts per state, in the order of the states.
    const char* sep = ": ";
    for (int k = 0; k <= static_cast<int>(LiveRunState::Failed); ++k) {
      const auto st = static_cast<LiveRunState>(k);
      const auto c = std::count_if(snap_.info.begin(), snap_.info.end(), [&](const LiveRunInfo& in) { return in.state == st; });
      if (c == 0) continue;
      s += sep + (c == static_cast<long>(n) && n > 1 ? std::string("all ") : std::to_string(c) + " ") + live_run_state_name(st);
      sep = ", ";
    }
    return s;
  }

  void follow(const std::string& spec_path, const std::vector<RunRecord>& runs, const std::vector<FollowedLog>& logs) override {
    std::vector<LiveFollowed> f(std::min(runs.size(), logs.size()));
    followed_gen_.assign(f.size(), 0);
    followed_labels_.clear();
    for (size_t i = 0; i < f.size(); ++i) {
      f[i].spec_path = spec_path;
      f[i].label = runs[i].label;
      f[i].generation = followed_gen_[i] = logs[i].generation;
      f[i].losses = logs[i].losses;
      f[i].complete = logs[i].complete;
      followed_labels_.push_back(runs[i].label);
    }
    trainer_.follow(std::move(f));
  }
  void place_followed(std::vector<RunRecord>& runs) const override {
    for (size_t i = 0; i < runs.size(); ++i) {
      const LiveFollowedPoints* p = i < snap_.followed.size() && i < followed_gen_.size() &&
                                            snap_.followed[i].label == runs[i].label &&
                                            snap_.followed[i].generation == followed_gen_[i]
                                        ? &snap_.followed[i]
                                        : nullptr;  // points of a log that has since started over: none
      for (size_t k = 0; k < runs[i].rows.size(); ++k) {
        const bool has = p && k < p->xy.size();
        runs[i].rows[k].x = has ? p->xy[k][0] : NAN;
        runs[i].rows[k].y = has ? p->xy[k][1] : NAN;
      }
    }
  }
  uint64_t followed_serial() const override { return snap_.followed_serial; }
  std::string followed_note(int i) const override {
    return i >= 0 && static_cast<size_t>(i) < snap_.followed.size() ? snap_.followed[static_cast<size_t>(i)].note : "";
  }

 private:
  // Resumable step logs of this session's runs (the windowed app only: headless runs and
  // tests write none): $XDG_DATA_HOME/zoscope/llm-runs/<experiment>-<time>, else under
  // ~/.local/share. `zoscope-cli finetune DIR/spec.json --out DIR --resume` continues them.
  std::string log_dir(const App& app) {
    if (!log_dir_.empty()) return log_dir_;  // this session's folder, or the one continued
    if (app.options().settings_dir.empty()) return "";
    {
      const std::string root = live_logs_root();
      if (root.empty()) return "";
      char stamp[32];
      const std::time_t now = std::time(nullptr);
      std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
      std::string name = app.exp().name.empty() ? "llm" : app.exp().name;
      for (char& ch : name)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.')) ch = '_';
      log_dir_ = root + "/" + name + "-" + stamp;
    }
    return log_dir_;
  }

  // The panel's list of logged sessions with unfinished runs (this session's own folder
  // left out), read when the list opens and on "refresh"; each can be continued.
  void draw_logged_sessions(App& app) {
    const bool open = ImGui::TreeNode("continue a logged run");
    app.note_item("llm/logged");
    if (!open) {
      logs_scanned_ = false;  // read again when opened
      return;
    }
    const bool refresh = ImGui::SmallButton("refresh");
    if (refresh || !logs_scanned_) {
      logs_ = live_logs_scan(live_logs_root());
      logs_scanned_ = true;
    }
    int shown = 0;
    for (const LoggedLiveSession& s : logs_.unfinished) {
      if (s.dir == log_dir_) continue;
      ++shown;
      ImGui::PushID(s.dir.c_str());
      ImGui::Separator();
      ImGui::TextUnformatted(s.name.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", s.dir.c_str());
      const bool steps = s.spec.steps > 0;
      for (const LoggedLiveRun& r : s.runs) {
        const std::string loss = std::isnan(r.last_loss) ? "-" : fmt_double(r.last_loss);
        ImGui::TextDisabled("  %s (%s): %lld / %s, last loss %s%s", r.label.c_str(), r.optimizer.c_str(),
                            static_cast<long long>(steps ? r.steps : r.forward_passes), s.budget_text().c_str(),
                            loss.c_str(), r.finished ? " (finished)" : "");
      }
      const bool go = ImGui::SmallButton("Continue");
      app.note_item("llm/continue");
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("resume every run from its step log (as zoscope-cli finetune --resume) and train on to the budget");
      ImGui::PopID();
      if (go) {
        const std::string dir = s.dir;
        continue_logged(app, dir);
        break;  // logs_ is read again next frame
      }
    }
    if (shown == 0) ImGui::TextDisabled("no unfinished runs in %s", live_logs_root().c_str());
    for (const std::string& line : logs_.skipped) ImGui::TextDisabled("skipped: %s", line.c_str());
    ImGui::TreePop();
  }

  std::string log_dir_;
  bool resume_ = false;  // log_dir_ is a continued session (LiveConfig::resume)
  LoggedLiveSessions logs_;
  bool logs_scanned_ = false;
  LiveTrainer trainer_;
  LiveSnapshot snap_;
  Grid plane_;
  std::string plane_kind_;
  std::string axis_x_, axis_y_;  // the plane's axes, named when it is built
  std::string plane_note_;       // flat_plane_note of the plane shown
  LiveConfig last_cfg_;
  std::string key_, error_;
  std::vector<std::string> labels_;
  std::vector<uint64_t> followed_gen_;  // the log generation each followed run was last sent with
  std::vector<std::string> followed_labels_;
  std::vector<std::string> plane_scene_runs_;  // optimizer and label of each scene run, as last seen
  // The plane runs as last seen by keep_followed_plane_runs: index and followed label (""
  // for a scene run).
  int plane_pick_index_[2] = {-1, -1};
  std::string plane_pick_label_[2];
  std::string folder_edit_;
  PathEdit tokenizer_edit_, data_edit_;
};

}  // namespace

std::unique_ptr<LlmScene> llm_scene_create() { return std::make_unique<LlmSceneImpl>(); }

}  // namespace zs::gui
