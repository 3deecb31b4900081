// Preset experiments shipped in assets/presets/, embedded at build time.
#pragma once
#include <string>
#include <vector>
#include "core/io/experiment.h"

namespace zs {

struct Preset {
  std::string name;   // file name without .json
  std::string text;   // the JSON
};

const std::vector<Preset>& presets();
const Preset* preset_find(const std::string& name);
// Loads "preset:<name>", a bare preset name that is not a file, or a path.
Experiment experiment_resolve(const std::string& name_or_path);

}  // namespace zs
