// Experiment files (core/io/experiment): parsing with defaults, the canonical JSON and its
// round trip, the hash (independent of key order and formatting, sensitive to values),
// choice and boolean hyperparameters, colours, and error messages that name the file and
// the field path. The CLI-level contract (one line, exit status) is in tests/cli.
#include <gtest/gtest.h>
#include <unistd.h>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include "core/io/experiment.h"
#include "core/io/presets.h"
#include "core/opt/optimizer.h"
#include "core/util/error.h"

namespace zs {
namespace {

using nlohmann::json;

// Every section and most fields set, keys in schema order.
const char* const kFull = R"({
  "zoscope_experiment": 1,
  "name": "full",
  "description": "every section",
  "landscape": {"id": "quadratic_nd", "dim": 6, "params": {"kappa": 50, "rotate": false, "rotation_seed": 3},
                "noise": 0.1, "noise_seed": 9},
  "start": [1, 2, 3, 4, 5, 6],
  "seed": 42,
  "budget": {"forward_passes": 1000},
  "target_loss": 0.5,
  "runs": [
    {"optimizer": "mezo", "hyperparameters": {"lr": 1e-3, "dist": "sphere", "sided": "one", "queries": 2}},
    {"optimizer": "adamezo", "hyperparameters": {"h": 8, "warmup": false, "bias_correction": true},
     "label": "mine", "colour": "#A0b1C2", "visible": false,
     "directions": [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]]},
    {"optimizer": "adam"}
  ],
  "view": {"domain": [-2, 2, -1, 1], "log_colour": true, "colormap": "magma", "contours": 5, "grid": 64,
           "projection": "coords", "coords": [2, 4], "plane_seed": 7, "show_probes": true},
  "export": {"width": 800, "height": 600, "title": "t"}
})";

// The same experiment with every object's keys in reverse file order and no whitespace.
std::string reversed_keys(const std::string& text) {
  using ordered = nlohmann::ordered_json;  // keeps the file's key order (json sorts)
  std::function<std::string(const ordered&)> dump = [&](const ordered& v) -> std::string {
    if (v.is_object()) {
      std::vector<std::string> parts;
      for (auto it = v.begin(); it != v.end(); ++it) parts.insert(parts.begin(), ordered(it.key()).dump() + ":" + dump(*it));
      std::string s = "{";
      for (size_t i = 0; i < parts.size(); ++i) s += (i ? "," : "") + parts[i];
      return s + "}";
    }
    if (v.is_array()) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + dump(v[i]);
      return s + "]";
    }
    return v.dump();
  };
  return dump(ordered::parse(text));
}

std::string error_of(const std::string& text, const std::string& file = "exp.json") {
  try {
    experiment_from_text(text, file);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A valid experiment with one run whose hyperparameters are `hp` (a JSON object text).
std::string with_hp(const std::string& optimizer, const std::string& hp) {
  return R"({"zoscope_experiment": 1, "landscape": {"id": "rosenbrock"}, "budget": {"steps": 10},
             "runs": [{"optimizer": ")" + optimizer + R"(", "hyperparameters": )" + hp + "}]}";
}

// [SECTION] round trip and hash

TEST(Experiment, RoundTripKeepsEveryFieldAndTheHash) {
  const Experiment e = experiment_from_text(kFull, "full.json");
  const json j = experiment_to_json(e);
  const Experiment back = experiment_from_json(j, "");
  EXPECT_EQ(experiment_to_json(back), j);
  EXPECT_EQ(experiment_hash(back), experiment_hash(e));
  // Spot checks that the canonical JSON really carries the fields (a writer that dropped
  // one would still round-trip to itself).
  EXPECT_EQ(back.landscape.dim, 6);
  EXPECT_EQ(back.landscape.noise_seed, 9u);
  EXPECT_EQ(back.seed, 42u);
  EXPECT_EQ(back.max_fp, 1000);
  EXPECT_EQ(back.max_steps, 0);
  EXPECT_EQ(back.target_loss, 0.5);
  ASSERT_EQ(back.runs.size(), 3u);
  EXPECT_EQ(back.runs[1].label, "mine");
  EXPECT_EQ(back.runs[1].colour, 0xa0b1c2u);
  EXPECT_FALSE(back.runs[1].visible);
  EXPECT_EQ(back.runs[1].directions.size(), 2u);
  EXPECT_EQ(back.view.coords[0], 2);
  EXPECT_EQ(back.view.coords[1], 4);
  EXPECT_EQ(back.view.colormap, "magma");
  EXPECT_EQ(back.view.log_colour, 1);
  EXPECT_TRUE(back.view.show_probes);
  EXPECT_EQ(back.export_style.width, 800);
  EXPECT_EQ(back.export_style.title, "t");
}

TEST(Experiment, EveryPresetRoundTripsToTheSameHash) {
  for (const auto& p : presets()) {
    SCOPED_TRACE(p.name);
    const Experiment e = experiment_from_text(p.text, p.name);
    EXPECT_EQ(experiment_hash(experiment_from_json(experiment_to_json(e), "")), experiment_hash(e));
  }
}

TEST(Experiment, SaveAndLoadKeepTheHash) {
  const Experiment e = experiment_from_text(kFull, "");
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("zs_experiment_test_" + std::to_string(::getpid()) + ".json"))
                               .string();
  experiment_save(e, path);
  const Experiment back = experiment_load(path);
  std::filesystem::remove(path);
  EXPECT_EQ(experiment_hash(back), experiment_hash(e));
  EXPECT_EQ(back.source, path);
}

TEST(Experiment, HashIgnoresKeyOrderAndWhitespace) {
  const std::string reordered = reversed_keys(kFull);
  ASSERT_NE(reordered.find("\"export\""), std::string::npos);
  ASSERT_LT(reordered.find("\"export\""), reordered.find("\"zoscope_experiment\"")) << "keys really reversed";
  EXPECT_EQ(experiment_hash(experiment_from_text(reordered, "")), experiment_hash(experiment_from_text(kFull, "")));
}

TEST(Experiment, HashIsSixteenHexDigitsAndChangesWithAnyValue) {
  const std::string h = experiment_hash(experiment_from_text(kFull, ""));
  ASSERT_EQ(h.size(), 16u);
  for (char c : h) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c)));
  json j = json::parse(kFull);
  for (const char* pointer : {"/seed", "/runs/0/hyperparameters/lr", "/landscape/noise", "/start/0", "/export/width"}) {
    json k = j;
    k[json::json_pointer(pointer)] = k[json::json_pointer(pointer)].get<double>() + 1;
    EXPECT_NE(experiment_hash(experiment_from_json(k, "")), h) << pointer;
  }
}

TEST(Experiment, HashDoesNotDependOnTheSourceFile) {
  EXPECT_EQ(experiment_hash(experiment_from_text(kFull, "a.json")), experiment_hash(experiment_from_text(kFull, "b.json")));
}

// [SECTION] defaults

TEST(Experiment, DefaultsAreFilled) {
  const Experiment e = experiment_from_text(R"({"zoscope_experiment": 1, "landscape": {"id": "rosenbrock"},
      "budget": {"steps": 10}, "runs": [{"optimizer": "mezo"}, {"optimizer": "adamezo"}, {"optimizer": "adam"}]})",
                                            "");
  EXPECT_EQ(e.seed, 0u);
  EXPECT_EQ(e.landscape.dim, 2);
  EXPECT_TRUE(e.start.empty()) << "empty start: the landscape's usual one";
  EXPECT_TRUE(std::isnan(e.target_loss));
  ASSERT_EQ(e.runs.size(), 3u);
  for (size_t i = 0; i < e.runs.size(); ++i) {
    SCOPED_TRACE(e.runs[i].optimizer);
    EXPECT_EQ(e.runs[i].label, optimizer_find(e.runs[i].optimizer)->display);
    EXPECT_EQ(e.runs[i].colour, default_run_colour(static_cast<int>(i)));
    EXPECT_TRUE(e.runs[i].visible);
    EXPECT_TRUE(e.runs[i].hp.empty()) << "defaults come from the declarations at run time";
  }
  EXPECT_NE(e.runs[0].colour, e.runs[1].colour);
  EXPECT_EQ(e.export_style.width, 1600);
  EXPECT_EQ(e.export_style.height, 1200);
  EXPECT_EQ(e.view.colormap, "viridis");
  // Filled-in labels and colours are written out, so a saved file shows what was drawn.
  const json j = experiment_to_json(e);
  EXPECT_EQ(j["runs"][0]["label"], optimizer_find("mezo")->display);
  EXPECT_EQ(j["runs"][1]["colour"], colour_to_hex(default_run_colour(1)));
}

// CIELAB (D65) of an sRGB colour: the sRGB transfer curve and matrix (IEC 61966-2-1), then
// CIE 15:2004's L*a*b*; a Euclidean distance of 1 is about a just noticeable difference.
std::array<double, 3> lab_of(uint32_t rgb) {
  const auto lin = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
  const double r = lin(((rgb >> 16) & 255) / 255.0), g = lin(((rgb >> 8) & 255) / 255.0), b = lin((rgb & 255) / 255.0);
  const double X = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const double Y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  const double Z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
  const auto f = [](double t) { return t > 216.0 / 24389 ? std::cbrt(t) : (24389.0 / 27 * t + 16) / 116; };
  return {116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))};
}

TEST(Experiment, PaletteColoursAreDistinctForTheFirstRuns) {
  // Any two of the first 16 runs' colours lie >= 20 CIELAB units apart (the former palette
  // put Tableau's blue 1f77b4, run 9, 2.9 units from Okabe-Ito's 0072b2, run 5).
  for (int i = 0; i < kRunPaletteSize; ++i)
    for (int k = 0; k < i; ++k) {
      const auto a = lab_of(default_run_colour(i)), b = lab_of(default_run_colour(k));
      EXPECT_GE(std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]), 20) << i << " " << k;
    }
  EXPECT_GE(kRunPaletteSize, 16);
  EXPECT_EQ(default_run_colour(kRunPaletteSize), default_run_colour(0)) << "the palette wraps";
  EXPECT_EQ(default_run_colour(-1), default_run_colour(kRunPaletteSize - 1));
  EXPECT_EQ(colour_to_hex(0xa0b1c2), "#a0b1c2");
  EXPECT_EQ(colour_to_hex(0x00000f), "#00000f");
}

TEST(Experiment, NextRunColourIsTheFirstOneNoVisibleRunShows) {
  std::vector<RunSpec> runs(3);
  for (int i = 0; i < 3; ++i) runs[static_cast<size_t>(i)].colour = default_run_colour(i);
  EXPECT_EQ(next_run_colour(runs), default_run_colour(3));
  runs[1].colour = 0x123456;  // recoloured by the user: its palette colour is free again
  EXPECT_EQ(next_run_colour(runs), default_run_colour(1));
  // Every palette colour taken: one no visible run shows (a hidden run's), then the one
  // the fewest visible runs share, never black or a repeat of run 0 by index.
  runs.clear();
  for (int i = 0; i < kRunPaletteSize; ++i) runs.push_back(RunSpec{"mezo", {}, "", default_run_colour(i), true, {}});
  runs[5].visible = false;
  EXPECT_EQ(next_run_colour(runs), default_run_colour(5));
  runs[5].visible = true;
  runs.push_back(RunSpec{"mezo", {}, "", default_run_colour(0), true, {}});
  EXPECT_EQ(next_run_colour(runs), default_run_colour(1)) << "colour 0 is shown twice now";
  EXPECT_EQ(next_run_colour({}), default_run_colour(0));
}

// [SECTION] hyperparameter kinds

TEST(Experiment, ChoiceByNameOrIndex) {
  const Experiment by_name = experiment_from_text(with_hp("mezo", R"({"dist": "sphere", "sided": "one"})"), "");
  const Experiment by_index = experiment_from_text(with_hp("mezo", R"({"dist": 2, "sided": 1})"), "");
  EXPECT_EQ(by_name.runs[0].hp.at("dist"), 2);
  EXPECT_EQ(by_name.runs[0].hp.at("sided"), 1);
  EXPECT_EQ(by_name.runs[0].hp, by_index.runs[0].hp);
  EXPECT_EQ(experiment_hash(by_name), experiment_hash(by_index));
  EXPECT_EQ(experiment_to_json(by_index)["runs"][0]["hyperparameters"]["dist"], "sphere") << "written by name";
  EXPECT_NE(error_of(with_hp("mezo", R"({"dist": "uniform"})")).find("gaussian|rademacher|sphere"), std::string::npos);
  EXPECT_NE(error_of(with_hp("mezo", R"({"dist": 1.5})")).find("runs[0].hyperparameters.dist"), std::string::npos);
  EXPECT_NE(error_of(with_hp("mezo", R"({"dist": -1})")).find("runs[0].hyperparameters.dist"), std::string::npos);
  EXPECT_NE(error_of(with_hp("mezo", R"({"dist": true})")).find("runs[0].hyperparameters.dist"), std::string::npos);
}

TEST(Experiment, BooleansByLiteralOrZeroOne) {
  const Experiment lit = experiment_from_text(with_hp("adamezo", R"({"warmup": false, "bias_correction": true})"), "");
  const Experiment num = experiment_from_text(with_hp("adamezo", R"({"warmup": 0, "bias_correction": 1})"), "");
  EXPECT_EQ(lit.runs[0].hp.at("warmup"), 0);
  EXPECT_EQ(lit.runs[0].hp.at("bias_correction"), 1);
  EXPECT_EQ(lit.runs[0].hp, num.runs[0].hp);
  EXPECT_EQ(experiment_to_json(num)["runs"][0]["hyperparameters"]["warmup"], false) << "written as a literal";
  EXPECT_NE(error_of(with_hp("adamezo", R"({"warmup": "yes"})")).find("expected true or false"), std::string::npos);
  EXPECT_NE(error_of(with_hp("adamezo", R"({"warmup": 2})")).find("runs[0].hyperparameters.warmup"), std::string::npos);
  // true/false is not a number: "lr": true is a mistake, not lr = 1.
  EXPECT_NE(error_of(with_hp("mezo", R"({"lr": true})")).find("runs[0].hyperparameters.lr: expected a number"),
            std::string::npos);
}

TEST(Experiment, IntegerHyperparametersRejectFractions) {
  EXPECT_NO_THROW(experiment_from_text(with_hp("adamezo", R"({"h": 8})"), ""));
  EXPECT_NE(error_of(with_hp("adamezo", R"({"h": 2.5})")).find("must be an integer"), std::string::npos);
  EXPECT_NE(error_of(with_hp("adamezo", R"({"h": 1000})")).find("[0, 64]"), std::string::npos);
}

// [SECTION] errors name the file and the field

TEST(Experiment, ErrorsNameFileAndFieldPath) {
  EXPECT_EQ(error_of(with_hp("mezo", R"({"lr": -1})"), "x.json"),
            "x.json: runs[0].hyperparameters.lr: value -1 is outside the accepted range [1e-10, 10]");
  EXPECT_EQ(error_of(with_hp("mezo", R"({"lr": 1e-3})"), "").find("runs"), std::string::npos) << "valid";
  EXPECT_EQ(error_of(with_hp("mezo", R"({"lr": -1})"), "").rfind("runs[0].hyperparameters.lr: ", 0), 0u)
      << "no file: the field path alone";
  EXPECT_EQ(error_of(R"({"zoscope_experiment": 1, "landscape": {"id": "rosenbrock"}, "budget": {"steps": 1},
                         "runs": [{"optimizer": "mezo", "colour": "# 12345"}]})"),
            "exp.json: runs[0].colour: \"# 12345\" is not a colour of the form #rrggbb");
}

TEST(Experiment, MalformedJsonReportsLineAndColumn) {
  const std::string e = error_of("{\n  \"zoscope_experiment\": 1,\n  \"seed\": 1 2\n}");
  EXPECT_EQ(e.rfind("exp.json: malformed JSON at line 3, column ", 0), 0u) << e;
  EXPECT_EQ(error_of("").rfind("exp.json: malformed JSON at line 1, column 1", 0), 0u);
  EXPECT_EQ(error_of("{", "").rfind("(experiment): malformed JSON", 0), 0u) << "no file name: still a subject";
}

// JSON has no inf or NaN, and nlohmann refuses numbers beyond a double before any field is
// checked; the error still names the field, the number and where it is.
TEST(Experiment, OverflowingNumberNamesTheField) {
  const std::string e = error_of(with_hp("mezo", R"({"eps": 1e-3, "lr": 1e999})"));
  EXPECT_EQ(e.rfind("exp.json: runs[0].hyperparameters.lr: number 1e999 at line 2, column ", 0), 0u) << e;
  const std::string s = error_of(R"({"zoscope_experiment": 1, "start": [0, -1e400]})");
  EXPECT_EQ(s.rfind("exp.json: start[1]: number -1e400", 0), 0u) << s;
  EXPECT_EQ(error_of("1e999").rfind("exp.json: (top level): number 1e999", 0), 0u);
}

// The schema is strict: a key given twice is a mistake (nlohmann alone keeps the last).
TEST(Experiment, DuplicateKeysAreErrors) {
  EXPECT_EQ(error_of(R"({"zoscope_experiment": 1, "seed": 1, "seed": 2})"),
            "exp.json: seed: appears twice (duplicate key; each key may appear once)");
  EXPECT_EQ(error_of(with_hp("mezo", R"({"lr": 1e-3, "lr": 1e-2})")),
            "exp.json: runs[0].hyperparameters.lr: appears twice (duplicate key; each key may appear once)");
}

// Seeds are documented as integers in [0, 2^53]; larger unsigned values were accepted.
TEST(Experiment, SeedsAbove2Pow53AreRejected) {
  const std::string base = R"({"zoscope_experiment": 1, "landscape": {"id": "rosenbrock"}, "budget": {"steps": 1},
                               "runs": [{"optimizer": "mezo"}], "seed": )";
  EXPECT_EQ(error_of(base + "9007199254740992}"), "") << "2^53 itself is accepted";
  EXPECT_EQ(error_of(base + "9007199254740993}"),
            "exp.json: seed: value 9007199254740993 must be an integer in [0, 9007199254740992]");
  EXPECT_EQ(error_of(base + "18446744073709551615}").rfind("exp.json: seed: value 18446744073709551615 must", 0), 0u);
}

TEST(Experiment, NewerVersionIsReportedBeforeUnknownFields) {
  const std::string e = error_of(R"({"zoscope_experiment": 2, "hologram": true})");
  EXPECT_NE(e.find("exp.json: zoscope_experiment: version 2 is newer"), std::string::npos) << e;
}

}  // namespace
}  // namespace zs
