// Experiment file parsing, validation, canonical serialisation and hashing.
#include "core/io/experiment.h"
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>
#include <nlohmann/json.hpp>
#include "core/landscape/landscape.h"
#include "core/opt/optimizer.h"
#include "core/export/colormap.h"
#include "core/util/atomic_file.h"
#include "core/io/json_fields.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

namespace zs {
namespace {

using nlohmann::json;
using json_fields::Ctx;
using json_fields::check_keys;
using json_fields::get;
using json_fields::type_name;

double num(const Ctx& c, const json& v, const std::string& path) {
  if (!v.is_number()) fail(c.at(path), "expected a number, got " + type_name(v));
  const double d = v.get<double>();
  if (!std::isfinite(d)) fail(c.at(path), "value is not finite");
  return d;
}

int64_t integer(const Ctx& c, const json& v, const std::string& path, int64_t lo, int64_t hi) {
  const double d = num(c, v, path);
  if (d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    fail(c.at(path), "value " + fmt_double(d) + " must be an integer in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
  return static_cast<int64_t>(d);
}

// Seeds are integers in [0, 2^53] (docs/experiment-schema.md): every such value survives a
// round trip through a double (GUI sliders, JSON writers in other languages), larger ones not.
uint64_t seed_value(const Ctx& c, const json& v, const std::string& path) {
  constexpr uint64_t kMax = uint64_t(1) << 53;
  if (v.is_number_unsigned() && v.get<uint64_t>() > kMax)
    fail(c.at(path), "value " + v.dump() + " must be an integer in [0, " + std::to_string(kMax) + "]");
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  return static_cast<uint64_t>(integer(c, v, path, 0, static_cast<int64_t>(kMax)));
}

std::string str(const Ctx& c, const json& v, const std::string& path) {
  if (!v.is_string()) fail(c.at(path), "expected a string, got " + type_name(v));
  return v.get<std::string>();
}

bool boolean(const Ctx& c, const json& v, const std::string& path) {
  if (!v.is_boolean()) fail(c.at(path), "expected true or false, got " + type_name(v));
  return v.get<bool>();
}

std::vector<double> vec(const Ctx& c, const json& v, const std::string& path) {
  if (!v.is_array()) fail(c.at(path), "expected an array of numbers, got " + type_name(v));
  std::vector<double> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(num(c, v[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

uint32_t parse_colour(const Ctx& c, const json& v, const std::string& path) {
  const std::string s = str(c, v, path);
  // Six hex digits exactly: sscanf's %x alone would also take "#-12345" and "# 12345".
  const bool ok = s.size() == 7 && s[0] == '#' &&
                  std::all_of(s.begin() + 1, s.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
  if (!ok) fail(c.at(path), "\"" + s + "\" is not a colour of the form #rrggbb");
  return static_cast<uint32_t>(std::stoul(s.substr(1), nullptr, 16));
}

// Hyperparameters / landscape parameters: numbers, booleans, or choice names.
ParamValues parse_params(const Ctx& c, const json& v, const std::string& path, const std::vector<ParamDecl>& decls) {
  if (!v.is_object()) fail(c.at(path), "expected an object of name: value, got " + type_name(v));
  ParamValues out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string p = path + "." + it.key();
    const ParamDecl* d = param_find(decls, it.key());
    if (!d) {
      std::string names;
      for (const auto& dd : decls) names += (names.empty() ? "" : ", ") + dd.name;
      fail(c.at(p), "unknown parameter (known: " + (names.empty() ? std::string("none") : names) + ")");
    }
    // true/false only for booleans, names only for choices: "lr": true is a mistake, not 1.
    double x;
    if (it->is_boolean() && d->kind == ParamKind::Bool) x = it->get<bool>() ? 1 : 0;
    else if (it->is_string() && d->kind == ParamKind::Choice) x = param_choice_index(*d, it->get<std::string>(), c.at(p));
    else if (d->kind == ParamKind::Bool && !it->is_number()) fail(c.at(p), "expected true or false, got " + type_name(*it));
    else x = num(c, *it, p);
    param_check(*d, x, c.at(p));
    out[it.key()] = x;
  }
  return out;
}

json params_to_json(const ParamValues& pv, const std::vector<ParamDecl>& decls) {
  json o = json::object();
  for (const auto& [k, v] : pv) {
    const ParamDecl* d = param_find(decls, k);
    if (d && d->kind == ParamKind::Choice) o[k] = param_value_text(*d, v);
    else if (d && d->kind == ParamKind::Bool) o[k] = v != 0;
    else o[k] = v;
  }
  return o;
}

}  // namespace

uint32_t default_run_colour(int i) {
  // Okabe-Ito's eight (grey for black: the view is dark), then eight picked greedily for the
  // largest smallest CIEDE2000 difference to every earlier colour (scripts/palette.py,
  // docs/design-notes.md "Run colours"): any two of the 16 differ by >= 18.7 (Tableau's, the
  // former second set, repeated Okabe-Ito's blue at 2.0).
  static const uint32_t kPalette[kRunPaletteSize] = {0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442, 0x0072B2, 0xD55E00,
                                                     0xCC79A7, 0xBBBBBB, 0x961EFF, 0x78780F, 0x00E10F, 0xE1003C,
                                                     0xFFA596, 0xC3B4FF, 0x00E1E1, 0x7869A5};
  const int k = i % kRunPaletteSize;
  return kPalette[static_cast<size_t>(k < 0 ? k + kRunPaletteSize : k)];
}

uint32_t next_run_colour(const std::vector<RunSpec>& runs) {
  // Per palette colour: how many visible runs use it, and whether any run does.
  int visible[kRunPaletteSize] = {}, any[kRunPaletteSize] = {};
  for (const RunSpec& r : runs)
    for (int k = 0; k < kRunPaletteSize; ++k)
      if (r.colour == default_run_colour(k)) {
        visible[k] += r.visible;
        ++any[k];
      }
  // Unused by any run, else unused by the visible ones (a hidden run keeps its colour
  // while another is free), else the one the fewest visible runs share; first wins ties.
  int best = 0;
  for (int k = 0; k < kRunPaletteSize; ++k)
    if (std::make_pair(visible[k], any[k] > 0) < std::make_pair(visible[best], any[best] > 0)) best = k;
  return default_run_colour(best);
}

std::string colour_to_hex(uint32_t rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06x", rgb & 0xffffffu);
  return buf;
}

Experiment experiment_from_json(const json& j, const std::string& file) {
  const Ctx c{file};
  if (!j.is_object()) fail(c.at("(top level)"), "expected a JSON object, got " + type_name(j));
  // The version first: a newer file's new fields would otherwise be reported as typos.
  Experiment e;
  e.source = file;
  const json* ver = get(j, "zoscope_experiment");
  if (!ver) fail(c.at("zoscope_experiment"), "missing version field (this zoscope writes 1)");
  e.version = static_cast<int>(integer(c, *ver, "zoscope_experiment", 1, 1000000));
  if (e.version > kExperimentVersion)
    fail(c.at("zoscope_experiment"), "version " + std::to_string(e.version) + " is newer than this zoscope (reads up to " +
                                         std::to_string(kExperimentVersion) + ")");
  check_keys(c, j, "", {"zoscope_experiment", "name", "description", "landscape", "start", "seed", "budget",
                        "target_loss", "runs", "view", "export"});
  if (const json* v = get(j, "name")) e.name = str(c, *v, "name");
  if (const json* v = get(j, "description")) e.description = str(c, *v, "description");

  const json* L = get(j, "landscape");
  if (!L) fail(c.at("landscape"), "missing (an object with at least \"id\")");
  if (!L->is_object()) fail(c.at("landscape"), "expected an object, got " + type_name(*L));
  check_keys(c, *L, "landscape", {"id", "dim", "params", "expression", "noise", "noise_seed"});
  const json* lid = get(*L, "id");
  if (!lid) fail(c.at("landscape.id"), "missing");
  e.landscape.id = str(c, *lid, "landscape.id");
  const LandscapeDef* def = landscape_find(e.landscape.id);
  if (!def) {
    std::string ids;
    for (const auto& d : landscape_catalog()) ids += (ids.empty() ? "" : ", ") + d.id;
    fail(c.at("landscape.id"), "unknown landscape \"" + e.landscape.id + "\" (known: " + ids + ")");
  }
  if (const json* v = get(*L, "dim")) e.landscape.dim = static_cast<int>(integer(c, *v, "landscape.dim", 2, 100000));
  if (!def->nd && e.landscape.dim != 2) fail(c.at("landscape.dim"), "landscape \"" + def->id + "\" is 2-D; dim must be 2");
  if (const json* v = get(*L, "params")) e.landscape.params = parse_params(c, *v, "landscape.params", def->params);
  if (const json* v = get(*L, "expression")) e.landscape.expression = str(c, *v, "landscape.expression");
  if (def->expression && e.landscape.expression.empty())
    fail(c.at("landscape.expression"), "missing: the expression landscape needs f(x, y), e.g. \"x^2 + 3*y^2\"");
  if (const json* v = get(*L, "noise")) {
    e.landscape.noise = num(c, *v, "landscape.noise");
    if (e.landscape.noise < 0) fail(c.at("landscape.noise"), "value " + fmt_double(e.landscape.noise) + " must be >= 0");
  }
  if (const json* v = get(*L, "noise_seed")) e.landscape.noise_seed = seed_value(c, *v, "landscape.noise_seed");

  if (const json* v = get(j, "start")) {
    e.start = vec(c, *v, "start");
    if (static_cast<int>(e.start.size()) != e.landscape.dim)
      fail(c.at("start"), "has " + std::to_string(e.start.size()) + " values; the landscape has dim " +
                              std::to_string(e.landscape.dim));
  }
  if (const json* v = get(j, "seed")) e.seed = seed_value(c, *v, "seed");

  const json* B = get(j, "budget");
  if (!B) fail(c.at("budget"), "missing ({\"steps\": N} or {\"forward_passes\": N})");
  if (!B->is_object()) fail(c.at("budget"), "expected an object, got " + type_name(*B));
  check_keys(c, *B, "budget", {"steps", "forward_passes"});
  if (const json* v = get(*B, "steps")) e.max_steps = integer(c, *v, "budget.steps", 1, 100000000);
  if (const json* v = get(*B, "forward_passes")) e.max_fp = integer(c, *v, "budget.forward_passes", 1, 1000000000);
  if ((e.max_steps > 0) == (e.max_fp > 0)) fail(c.at("budget"), "give exactly one of \"steps\" and \"forward_passes\"");
  if (const json* v = get(j, "target_loss")) e.target_loss = num(c, *v, "target_loss");

  const json* R = get(j, "runs");
  if (!R) fail(c.at("runs"), "missing (a list of {\"optimizer\": ...})");
  if (!R->is_array() || R->empty()) fail(c.at("runs"), "expected a non-empty array");
  if (R->size() > 64) fail(c.at("runs"), "has " + std::to_string(R->size()) + " runs; at most 64");
  for (size_t i = 0; i < R->size(); ++i) {
    const std::string p = "runs[" + std::to_string(i) + "]";
    const json& r = (*R)[i];
    if (!r.is_object()) fail(c.at(p), "expected an object, got " + type_name(r));
    check_keys(c, r, p, {"optimizer", "hyperparameters", "label", "colour", "visible", "directions"});
    RunSpec rs;
    const json* o = get(r, "optimizer");
    if (!o) fail(c.at(p + ".optimizer"), "missing");
    rs.optimizer = str(c, *o, p + ".optimizer");
    const OptimizerInfo* info = optimizer_find(rs.optimizer);
    if (!info) {
      std::string ids;
      for (const auto& d : optimizer_catalog()) ids += (ids.empty() ? "" : ", ") + d.id;
      fail(c.at(p + ".optimizer"), "unknown optimizer \"" + rs.optimizer + "\" (known: " + ids + ")");
    }
    if (const json* v = get(r, "hyperparameters")) rs.hp = parse_params(c, *v, p + ".hyperparameters", info->params);
    rs.label = info->display;
    if (const json* v = get(r, "label")) {
      rs.label = str(c, *v, p + ".label");
      // One line: runs.csv is read back line by line, legends and tables are one line each.
      if (std::any_of(rs.label.begin(), rs.label.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }))
        fail(c.at(p + ".label"), v->dump() + " contains a control character (a label is one line of text)");
    }
    rs.colour = default_run_colour(static_cast<int>(i));
    if (const json* v = get(r, "colour")) rs.colour = parse_colour(c, *v, p + ".colour");
    if (const json* v = get(r, "visible")) rs.visible = boolean(c, *v, p + ".visible");
    if (const json* v = get(r, "directions")) {
      if (!v->is_array() || v->empty()) fail(c.at(p + ".directions"), "expected a non-empty array of vectors");
      if (info->family != "zo") fail(c.at(p + ".directions"), "fixed directions apply to zeroth-order optimizers only");
      for (size_t k = 0; k < v->size(); ++k) {
        const std::string pk = p + ".directions[" + std::to_string(k) + "]";
        auto row = vec(c, (*v)[k], pk);
        if (static_cast<int>(row.size()) != e.landscape.dim)
          fail(c.at(pk), "has " + std::to_string(row.size()) + " values; the landscape has dim " +
                             std::to_string(e.landscape.dim));
        rs.directions.push_back(std::move(row));
      }
    }
    e.runs.push_back(std::move(rs));
  }

  if (const json* V = get(j, "view")) {
    if (!V->is_object()) fail(c.at("view"), "expected an object, got " + type_name(*V));
    check_keys(c, *V, "view", {"domain", "log_colour", "colormap", "contours", "grid", "projection", "coords",
                               "plane_seed", "show_probes"});
    if (const json* v = get(*V, "domain")) {
      auto d = vec(c, *v, "view.domain");
      if (d.size() != 4 || !(d[0] < d[1]) || !(d[2] < d[3]))
        fail(c.at("view.domain"), "expected [x0, x1, y0, y1] with x0 < x1 and y0 < y1");
      for (int k = 0; k < 4; ++k) e.view.domain[k] = d[k];
    }
    if (const json* v = get(*V, "log_colour")) e.view.log_colour = boolean(c, *v, "view.log_colour") ? 1 : 0;
    if (const json* v = get(*V, "colormap")) {
      e.view.colormap = str(c, *v, "view.colormap");
      if (!colormap_known(e.view.colormap)) {
        std::string names;
        for (const auto& n : colormap_names()) names += (names.empty() ? "" : ", ") + n;
        fail(c.at("view.colormap"), "unknown colormap \"" + e.view.colormap + "\" (known: " + names + ")");
      }
    }
    if (const json* v = get(*V, "contours")) e.view.contours = static_cast<int>(integer(c, *v, "view.contours", 0, 100));
    if (const json* v = get(*V, "grid")) e.view.grid = static_cast<int>(integer(c, *v, "view.grid", 16, 4096));
    if (const json* v = get(*V, "projection")) {
      e.view.projection = str(c, *v, "view.projection");
      if (e.view.projection != "auto" && e.view.projection != "coords" && e.view.projection != "plane" &&
          e.view.projection != "toward_minimum")
        fail(c.at("view.projection"), "\"" + e.view.projection + "\" is not one of auto|coords|plane|toward_minimum");
    }
    if (const json* v = get(*V, "coords")) {
      auto d = vec(c, *v, "view.coords");
      if (d.size() != 2) fail(c.at("view.coords"), "expected two coordinate indices");
      for (int k = 0; k < 2; ++k) {
        if (d[k] != std::floor(d[k]) || d[k] < 0 || d[k] >= e.landscape.dim)
          fail(c.at("view.coords[" + std::to_string(k) + "]"),
               "value " + fmt_double(d[k]) + " must be an index in [0, " + std::to_string(e.landscape.dim - 1) + "]");
        e.view.coords[k] = static_cast<int>(d[k]);
      }
      if (e.view.coords[0] == e.view.coords[1]) fail(c.at("view.coords"), "the two coordinates must differ");
    }
    if (const json* v = get(*V, "plane_seed")) e.view.plane_seed = seed_value(c, *v, "view.plane_seed");
    if (const json* v = get(*V, "show_probes")) e.view.show_probes = boolean(c, *v, "view.show_probes");
  }
  if (const json* X = get(j, "export")) {
    if (!X->is_object()) fail(c.at("export"), "expected an object, got " + type_name(*X));
    check_keys(c, *X, "export", {"width", "height", "title"});
    if (const json* v = get(*X, "width")) e.export_style.width = static_cast<int>(integer(c, *v, "export.width", 64, 16384));
    if (const json* v = get(*X, "height")) e.export_style.height = static_cast<int>(integer(c, *v, "export.height", 64, 16384));
    if (const json* v = get(*X, "title")) e.export_style.title = str(c, *v, "export.title");
  }
  experiment_validate(e);
  return e;
}

void experiment_validate(const Experiment& e) {
  const Ctx c{e.source};
  const LandscapeDef* def = landscape_find(e.landscape.id);
  if (!def) fail(c.at("landscape.id"), "unknown landscape \"" + e.landscape.id + "\"");
  // Building the landscape validates its parameters and the expression.
  landscape_create(e.landscape.id, e.landscape.params, e.landscape.dim, e.landscape.expression,
                   c.at("landscape"));
  if (!e.start.empty() && static_cast<int>(e.start.size()) != e.landscape.dim)
    fail(c.at("start"), "has " + std::to_string(e.start.size()) + " values; the landscape has dim " +
                            std::to_string(e.landscape.dim));
  for (size_t i = 0; i < e.runs.size(); ++i) {
    const std::string p = "runs[" + std::to_string(i) + "]";
    optimizer_create(e.runs[i].optimizer, e.runs[i].hp, c.at(p + ".hyperparameters"));
  }
}

Experiment experiment_from_text(const std::string& text, const std::string& file) {
  return experiment_from_json(json_parse(text, file.empty() ? "(experiment)" : file), file);
}

Experiment experiment_load(const std::string& path) { return experiment_from_text(read_file(path), path); }

json experiment_to_json(const Experiment& e) {
  json j;
  j["zoscope_experiment"] = kExperimentVersion;
  if (!e.name.empty()) j["name"] = e.name;
  if (!e.description.empty()) j["description"] = e.description;
  const LandscapeDef* def = landscape_find(e.landscape.id);
  json L;
  L["id"] = e.landscape.id;
  L["dim"] = e.landscape.dim;
  if (!e.landscape.params.empty()) L["params"] = params_to_json(e.landscape.params, def ? def->params : std::vector<ParamDecl>{});
  if (!e.landscape.expression.empty()) L["expression"] = e.landscape.expression;
  if (e.landscape.noise != 0) {
    L["noise"] = e.landscape.noise;
    L["noise_seed"] = e.landscape.noise_seed;
  }
  j["landscape"] = L;
  if (!e.start.empty()) j["start"] = e.start;
  j["seed"] = e.seed;
  if (e.max_steps > 0) j["budget"] = {{"steps", e.max_steps}};
  else j["budget"] = {{"forward_passes", e.max_fp}};
  if (std::isfinite(e.target_loss)) j["target_loss"] = e.target_loss;
  json runs = json::array();
  for (const auto& r : e.runs) {
    const OptimizerInfo* info = optimizer_find(r.optimizer);
    json o;
    o["optimizer"] = r.optimizer;
    if (!r.hp.empty()) o["hyperparameters"] = params_to_json(r.hp, info ? info->params : std::vector<ParamDecl>{});
    o["label"] = r.label;
    o["colour"] = colour_to_hex(r.colour);
    if (!r.visible) o["visible"] = false;
    if (!r.directions.empty()) o["directions"] = r.directions;
    runs.push_back(o);
  }
  j["runs"] = runs;
  json V;
  if (e.view.domain[0] != 0 || e.view.domain[1] != 0 || e.view.domain[2] != 0 || e.view.domain[3] != 0)
    V["domain"] = {e.view.domain[0], e.view.domain[1], e.view.domain[2], e.view.domain[3]};
  if (e.view.log_colour >= 0) V["log_colour"] = e.view.log_colour == 1;
  V["colormap"] = e.view.colormap;
  V["contours"] = e.view.contours;
  V["grid"] = e.view.grid;
  if (e.landscape.dim > 2) {
    V["projection"] = e.view.projection;
    V["coords"] = {e.view.coords[0], e.view.coords[1]};
    V["plane_seed"] = e.view.plane_seed;
  }
  if (e.view.show_probes) V["show_probes"] = true;
  j["view"] = V;
  json X;
  X["width"] = e.export_style.width;
  X["height"] = e.export_style.height;
  if (!e.export_style.title.empty()) X["title"] = e.export_style.title;
  j["export"] = X;
  return j;
}

void experiment_save(const Experiment& e, const std::string& path) {
  atomic_write(path, experiment_to_json(e).dump(2) + "\n");
}

std::string experiment_hash(const Experiment& e) {
  return fnv1a64_hex(experiment_to_json(e).dump());
}

}  // namespace zs
