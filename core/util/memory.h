// Memory a request may still use, and byte counts in words, for the limits that are
// checked before work starts (core/io/limits.h, core/llm/torch/preflight.h).
#pragma once
#include <string>

namespace zs {

// MemAvailable (/proc/meminfo), capped by what the cgroup v2 memory.max leaves; +inf when
// neither is known. ZOSCOPE_MEMORY_LIMIT (bytes) overrides both (tests, shared machines).
double available_memory_bytes();
// The number of field `key` of /proc/self/status ("VmHWM", "RssAnon": kB; "Threads": a
// count); NaN when the field is missing.
double proc_self_status(const std::string& key);
// Resident anonymous memory of this process (RssAnon), bytes; NaN if unknown. Unlike VmRSS
// it leaves out mapped files (LibTorch's code), which processes share.
double resident_anon_bytes();
// For processes that run a model's forward passes over and over (zoscope-llm, bench_llm):
// freed tensor buffers stay in the heap (mmap threshold at glibc's 32 MB cap, trim threshold
// 1 GiB) instead of going back to the kernel after every pass and faulting in zeroed pages
// again on the next one (measured: the kernel's page-fault work was ~17% of a CPU LM step's
// samples, ~11% with this). Does nothing when GLIBC_TUNABLES is set (the user's choice wins).
void keep_freed_tensor_memory();
// "12.9 GB" (decimal units).
std::string bytes_text(double bytes);

}  // namespace zs
