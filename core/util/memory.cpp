// Available memory and byte counts in words (see memory.h).
#include "core/util/memory.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <malloc.h>

namespace zs {

namespace {

// The number after `key` on the first line starting with it (key "": the first line,
// "max" read as +inf).
double read_number(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (key.empty()) return line == "max" ? INFINITY : std::strtod(line.c_str(), nullptr);
    if (line.rfind(key, 0) == 0) return std::strtod(line.c_str() + key.size(), nullptr);
  }
  return NAN;
}

}  // namespace

double available_memory_bytes() {
  if (const char* v = std::getenv("ZOSCOPE_MEMORY_LIMIT"); v && *v) {
    const double b = std::strtod(v, nullptr);
    if (b > 0) return b;
  }
  double avail = read_number("/proc/meminfo", "MemAvailable:") * 1024;  // kB
  const double max = read_number("/sys/fs/cgroup/memory.max", "");
  const double cur = read_number("/sys/fs/cgroup/memory.current", "");
  if (std::isfinite(max) && std::isfinite(cur)) avail = std::isfinite(avail) ? std::min(avail, max - cur) : max - cur;
  return std::isfinite(avail) && avail > 0 ? avail : INFINITY;
}

double proc_self_status(const std::string& key) { return read_number("/proc/self/status", key + ":"); }

double resident_anon_bytes() { return proc_self_status("RssAnon") * 1024; }

std::string bytes_text(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int u = 0;
  while (b >= 1000 && u < 6) {
    b /= 1000;
    ++u;
  }
  char buf[48];
  if (b >= 1000) std::snprintf(buf, sizeof buf, "%.3g %s", b, units[u]);
  else std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

void keep_freed_tensor_memory() {
  if (std::getenv("GLIBC_TUNABLES")) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace zs
