// The tensor engine's CPU direction cache (dir_cache.h, docs/llm-engine.md#direction-cache).
#include "core/llm/torch/dir_cache.h"
#include <cstdlib>
#include <string>
#include "core/util/error.h"

namespace zs {

size_t DirCache::default_budget() {
  const char* v = std::getenv("ZOSCOPE_DIR_CACHE_MB");
  if (!v || !*v) return size_t{64} << 20;
  char* end = nullptr;
  const double mb = std::strtod(v, &end);
  if (end == v || *end || !(mb >= 0) || mb > 1e7)
    fail("ZOSCOPE_DIR_CACHE_MB", std::string("expected a size in MiB (0 turns the cache off), got '") + v + "'");
  return static_cast<size_t>(mb * 1048576.0);
}

DirCache::DirCache(const std::vector<int64_t>& block_len, size_t budget_bytes) {
  int64_t n = 0;
  for (int64_t len : block_len) {
    offset_.push_back(n);
    n += (len + 3) / 4 * 4;  // a chunk fills whole groups of four
  }
  entry_floats_ = static_cast<size_t>(n);
  const size_t entry_bytes = entry_floats_ * sizeof(float);
  capacity_ = entry_bytes > 0 ? budget_bytes / entry_bytes : 0;
}

std::vector<DirCache::Slot> DirCache::acquire(const std::vector<DirKey>& keys) {
  std::vector<Slot> out(keys.size());
  filling_.clear();
  if (!enabled()) return out;
  ++clock_;
  for (size_t k = 0; k < keys.size(); ++k) {
    size_t e = entries_.size();
    for (size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].key == keys[k]) e = i;
    if (e == entries_.size()) {
      // The least recently used entry that this pass does not use; a stale one (unused for
      // kStalePasses passes) before a new one, so that the cache holds what the optimizer
      // reuses (MeZO: about 3 directions) and not its whole budget.
      size_t lru = entries_.size();
      for (size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].used < clock_ && (lru == entries_.size() || entries_[i].used < entries_[lru].used)) lru = i;
      const bool stale = lru < entries_.size() && entries_[lru].used < clock_ - kStalePasses;
      if (!stale && entries_.size() < capacity_) {
        entries_.emplace_back();
        entries_.back().data.resize(entry_floats_);
        lru = entries_.size() - 1;
      }
      if (lru == entries_.size()) continue;  // every entry serves this pass: generate into scratch
      e = lru;
      entries_[e].key = keys[k];
      entries_[e].ready = false;
    }
    Entry& en = entries_[e];
    en.used = clock_;
    out[k].data = en.data.data();
    out[k].ready = en.ready;
    if (en.ready) {
      ++hits_;
    } else {
      ++misses_;
      filling_.push_back(e);
    }
  }
  return out;
}

void DirCache::commit() {
  for (size_t e : filling_) entries_[e].ready = true;
  filling_.clear();
}

size_t DirCache::bytes() const { return entries_.size() * entry_floats_ * sizeof(float); }

}  // namespace zs
