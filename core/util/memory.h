// Memory a request may still use, and byte counts in words, for the limits that are
// checked before work starts (core/io/limits.h, core/llm/torch/preflight.h).
#pragma once
#include <string>

namespace zs {

// MemAvailable (/proc/meminfo), capped by what the cgroup v2 memory.max leaves; +inf when
// neither is known. ZOSCOPE_MEMORY_LIMIT (bytes) overrides both (tests, shared machines).
double available_memory_bytes();
// "12.9 GB" (decimal units).
std::string bytes_text(double bytes);

}  // namespace zs
