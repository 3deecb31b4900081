// The CPU direction cache of the tensor engine (docs/llm-engine.md#direction-cache).
// Zeroth-order steps use each direction in several passes (MeZO: the -2 eps perturbation,
// the restore and the update, and the next step's +eps perturbation draws it first), and
// the engine regenerates it each time so that memory stays at inference size. On the CPU,
// for small models, the Philox + Box-Muller generation is the largest serial cost of a
// step (replicated on every data-parallel rank). Within a byte budget the engine keeps
// whole directions here, keyed by what fills them (distribution, seed, Philox stream),
// and passes read them instead of generating them again: the same floats bit for bit,
// so results never depend on whether the cache is on. Off when two directions do not fit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace zs {

struct DirKey {
  int32_t dist = 0;  // DirDist (core/opt/elem.h)
  uint32_t stream = 0;
  uint64_t seed = 0;
  bool operator==(const DirKey& o) const { return dist == o.dist && stream == o.stream && seed == o.seed; }
};

class DirCache {
 public:
  // The budget in bytes of ZOSCOPE_DIR_CACHE_MB (MiB; 0 turns the cache off), else 64 MiB.
  static size_t default_budget();

  // block_len[b]: elements of block b (each block's directions start at a multiple of 4).
  DirCache(const std::vector<int64_t>& block_len, size_t budget_bytes);

  bool enabled() const { return capacity_ >= 2; }
  // Where one pass reads or writes direction `key`: data (block b at data + offset(b)) and
  // whether it already holds the direction; data == nullptr: not cached (the pass generates
  // into its own scratch, as without a cache).
  struct Slot {
    float* data = nullptr;
    bool ready = false;
  };
  // The slots of one pass for distinct keys, least recently used entries evicted first
  // (never one of `keys`). Call commit() after the pass has filled the slots not ready.
  std::vector<Slot> acquire(const std::vector<DirKey>& keys);
  void commit();
  int64_t offset(int b) const { return offset_[static_cast<size_t>(b)]; }

  size_t bytes() const;             // held now
  int64_t hits() const { return hits_; }      // directions read from the cache
  int64_t misses() const { return misses_; }  // directions generated into it

 private:
  struct Entry {
    DirKey key;
    std::vector<float> data;
    bool ready = false;
    int64_t used = 0;  // pass counter of the last use (LRU)
  };
  static constexpr int64_t kStalePasses = 4;
  std::vector<int64_t> offset_;
  size_t entry_floats_ = 0, capacity_ = 0;
  std::vector<Entry> entries_;
  std::vector<size_t> filling_;  // entries acquired for filling by the current pass
  int64_t clock_ = 0, hits_ = 0, misses_ = 0;
};

}  // namespace zs
