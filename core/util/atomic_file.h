// Atomic file writes: data goes to a temporary file beside the target, is flushed and
// fsync'ed, then renamed over the target, so a crash never leaves a half-written file.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace zs {

// Throws zs::Error("<path>: cannot write: <reason>") on failure; the target is untouched.
void atomic_write(const std::string& path, std::string_view data);
// Fault injection for tests of full disks where a small file system cannot be mounted:
// with ZOSCOPE_FAULT_ENOSPC_AFTER=N in the environment, the process's file writes (every
// atomic_write, the fine-tuning step log) succeed for their first N bytes in all, then fail
// with ENOSPC as a full disk's would. Returns how many of `want` bytes may be written now
// (want when the variable is unset); 0 with errno = ENOSPC once the budget is spent.
size_t write_budget(size_t want);
// Reads a whole file; throws zs::Error("<path>: cannot read: <reason>").
std::string read_file(const std::string& path);
// Creates a directory and its parents; throws zs::Error naming the directory.
void make_dirs(const std::string& dir);
// 16 hex digits of FNV-1a 64 (Fowler, Noll, Vo) over `data`: experiment hashes and the
// run-folder manifest.
std::string fnv1a64_hex(std::string_view data);
// dir + "/" + name for a `name` read from a file (checkpoint.json's "tensors", an index's
// shard): it must be a plain file name, so that it stays inside `dir`. Otherwise throws
// zs::Error("<where>: \"<name>\" is not a plain file name inside <dir>").
std::string path_inside(const std::string& dir, const std::string& name, const std::string& where);

}  // namespace zs
