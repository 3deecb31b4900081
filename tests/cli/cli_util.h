// Helpers of the CLI tests: run the built zoscope-cli as a subprocess (no shell) and
// capture its exit status, stdout and stderr; scratch directories; small file and PNG
// readers; the one-line-error contract of docs/design-notes.md#errors-one-line ("one clear line naming the file,
// field or value; exit status non-zero; never a crash").
#pragma once
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace zs::cli_test {

struct CliResult {
  int status = -1;   // exit status; -1 when a signal ended the process
  int signal = 0;    // the signal that ended it (a crash), else 0
  std::string out, err;
};

// Runs build/app/cli/zoscope-cli with `args`; stdin is /dev/null.
CliResult cli(const std::vector<std::string>& args);
std::string cli_path();  // build/app/cli/zoscope-cli
// Runs `exe` with `args` and the environment plus `env` ("NAME=value", these win).
CliResult run_exe(const std::string& exe, const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at scope exit
// unless ZS_KEEP_TMP is set (to inspect a failure).
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string data_path(const std::string& rel);  // tests/data/cli/<rel>
std::string file_text(const std::string& path);  // "" when unreadable
void file_put(const std::string& path, const std::string& text);
bool file_exists(const std::string& path);
std::vector<std::string> lines_of(const std::string& text);  // split on '\n', no trailing empty line
std::vector<std::string> csv_fields(const std::string& line);  // RFC 4180 quoting
// Width and height from a PNG's IHDR chunk; false if the file is not a PNG.
bool png_size(const std::string& path, int& w, int& h);
// "" when equal, else where the texts first differ (line number and both lines).
std::string first_difference(const std::string& want, const std::string& got);

// The bad-input contract: exit status 2 (zs::Error or a usage error; 1 would mean an
// unexpected exception leaked), no signal, nothing on stdout, and exactly one line on
// stderr, "zoscope-cli: error: ...", containing every string of `must_contain`.
::testing::AssertionResult is_one_line_error(const CliResult& r, const std::vector<std::string>& must_contain);

}  // namespace zs::cli_test
