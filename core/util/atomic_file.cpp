// Atomic writes via temp file + fsync + rename (POSIX).
#include "core/util/atomic_file.h"
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "core/util/error.h"
#include "core/util/write_error.h"

namespace zs {

size_t write_budget(size_t want) {
  static const long long limit = [] {
    const char* v = std::getenv("ZOSCOPE_FAULT_ENOSPC_AFTER");
    return v && *v ? std::strtoll(v, nullptr, 10) : -1LL;
  }();
  if (limit < 0) return want;
  static std::atomic<long long> used{0};
  const long long before = used.fetch_add(static_cast<long long>(want));
  const long long left = std::max(0LL, limit - before);
  if (left == 0) errno = ENOSPC;
  return static_cast<size_t>(std::min<long long>(left, static_cast<long long>(want)));
}

void atomic_write(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_write(path, std::string("cannot write: ") + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    const size_t allowed = write_budget(data.size() - done);
    const ssize_t n = allowed == 0 ? -1 : ::write(fd, data.data() + done, allowed);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_write(path, "cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    fail_write(path, "cannot write: " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    fail_write(path, "cannot write: " + why);
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "cannot read: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void make_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) fail(dir, "cannot create directory: " + (ec ? ec.message() : std::string("not a directory")));
}

std::string fnv1a64_hex(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64: offset basis and prime from the FNV reference
  for (unsigned char ch : data) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string path_inside(const std::string& dir, const std::string& name, const std::string& where) {
  const bool plain = !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
                     name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
  if (!plain) fail(where, "\"" + name + "\" is not a plain file name inside " + dir);
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace zs
