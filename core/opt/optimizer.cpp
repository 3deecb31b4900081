// Optimizer registry: every optimizer file contributes one OptimizerEntry.
#include "core/opt/optimizer.h"
#include <cmath>
#include <cstdio>
#include "core/opt/zo_common.h"
#include "core/util/error.h"

namespace zs {

// One line per optimizer file (display order of the GUI's "add optimizer" list).
extern const OptimizerEntry kSgdEntry, kMomentumEntry, kAdamEntry, kAdamWEntry;
extern const OptimizerEntry kMezoEntry, kZoMmtEntry, kZoSignEntry, kZoConsEntry, kZoAdamEntry, kAdaMezoEntry;
extern const OptimizerEntry kAdaMuEntry, kHiZooEntry, kMeazoEntry, kRAdaZoEntry, kAdaNagedEntry;
extern const OptimizerEntry kAdaZetaEntry, kFzooEntry;

namespace {
const std::vector<const OptimizerEntry*>& entries() {
  static const std::vector<const OptimizerEntry*> e = {
      &kMezoEntry,  &kAdaMezoEntry, &kZoAdamEntry, &kZoMmtEntry, &kZoSignEntry,  &kZoConsEntry,
      &kAdaMuEntry, &kHiZooEntry,   &kMeazoEntry,  &kRAdaZoEntry, &kAdaZetaEntry, &kFzooEntry, &kAdaNagedEntry, &kSgdEntry,
      &kMomentumEntry, &kAdamEntry, &kAdamWEntry};
  return e;
}
}  // namespace

double Optimizer::hp(const std::string& name) const {
  auto it = hp_.find(name);
  if (it == hp_.end()) fail(info_.id, "internal: hyperparameter \"" + name + "\" not declared");
  return it->second;
}

const std::vector<OptimizerInfo>& optimizer_catalog() {
  static const std::vector<OptimizerInfo> cat = [] {
    std::vector<OptimizerInfo> v;
    for (const auto* e : entries()) v.push_back(e->info());
    return v;
  }();
  return cat;
}

const OptimizerInfo* optimizer_find(const std::string& id) {
  for (const auto& i : optimizer_catalog())
    if (i.id == id) return &i;
  return nullptr;
}

std::unique_ptr<Optimizer> optimizer_create(const std::string& id, const ParamValues& hp, const std::string& where,
                                            bool llm_defaults) {
  const auto& cat = optimizer_catalog();
  for (size_t i = 0; i < cat.size(); ++i) {
    if (cat[i].id != id) continue;
    return entries()[i]->make(cat[i], params_resolve(cat[i].params, hp, where, llm_defaults));
  }
  std::string ids;
  for (const auto& c : cat) ids += (ids.empty() ? "" : ", ") + c.id;
  fail(where, "unknown optimizer \"" + id + "\" (known: " + ids + ")");
}

std::string optimizer_memory_text(const Optimizer& o) {
  char buf[64];
  const double p = o.memory_p();
  if (o.memory_bytes() > 0) std::snprintf(buf, sizeof buf, "%gP + %lldB", p, static_cast<long long>(o.memory_bytes()));
  else std::snprintf(buf, sizeof buf, "%gP", p);
  return buf;
}

std::string optimizer_cost_text(const Optimizer& o) {
  char buf[64];
  if (o.bp_per_step() > 0) std::snprintf(buf, sizeof buf, "%g FP + %d BP/step", o.fp_per_step(), o.bp_per_step());
  else std::snprintf(buf, sizeof buf, "%g FP/step", o.fp_per_step());
  return buf;
}

}  // namespace zs
