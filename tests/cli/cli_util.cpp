// Subprocess runner and file helpers of the CLI tests (see cli_util.h).
#include "tests/cli/cli_util.h"
#include "core/run/record.h"
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace zs::cli_test {

namespace fs = std::filesystem;

std::string data_path(const std::string& rel) { return std::string(ZS_TEST_DATA) + "/cli/" + rel; }

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void file_put(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/zs_cli_test_XXXXXX";
  if (!::mkdtemp(pattern.data())) ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (std::getenv("ZS_KEEP_TMP")) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string cli_path() { return std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli"; }

CliResult cli(const std::vector<std::string>& args) { return run_exe(cli_path(), args); }

CliResult run_exe(const std::string& exe, const std::vector<std::string>& args, const std::vector<std::string>& env) {
  CliResult r;
  ScratchDir io;
  const std::string out_path = io / "stdout", err_path = io / "stderr";
  std::vector<std::string> env_s(env);
  for (char** e = environ; *e; ++e) {  // the inherited variables that `env` does not set
    const std::string v = *e;
    const std::string name = v.substr(0, v.find('=') + 1);
    if (std::none_of(env.begin(), env.end(), [&](const std::string& x) { return x.rfind(name, 0) == 0; })) env_s.push_back(v);
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_s{exe};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << exe << ": " << std::strerror(rc);
    return r;
  }
  int ws = 0;
  while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(ws)) r.status = WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) r.signal = WTERMSIG(ws);
  r.out = file_text(out_path);
  r.err = file_text(err_path);
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> csv_fields(const std::string& line) { return zs::csv_split(line); }

bool png_size(const std::string& path, int& w, int& h) {
  const std::string s = file_text(path);
  static const char kMagic[] = "\x89PNG\r\n\x1a\n";
  if (s.size() < 24 || s.compare(0, 8, kMagic, 8) != 0 || s.compare(12, 4, "IHDR") != 0) return false;
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(s[at + k]);
    return static_cast<int>(v);
  };
  w = be32(16);
  h = be32(20);
  return true;
}

std::string first_difference(const std::string& want, const std::string& got) {
  if (want == got) return "";
  const auto a = lines_of(want), b = lines_of(got);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string la = i < a.size() ? a[i] : "<end of file>", lb = i < b.size() ? b[i] : "<end of file>";
    if (la != lb)
      return "first difference at line " + std::to_string(i + 1) + ":\n  want: " + la + "\n  got:  " + lb;
  }
  return "the texts differ only in their final newline";
}

::testing::AssertionResult is_one_line_error(const CliResult& r, const std::vector<std::string>& must_contain) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n  status " << r.status << ", signal " << r.signal
                                         << "\n  stderr: [" << r.err << "]\n  stdout: [" << r.out.substr(0, 400) << "]";
  };
  if (r.signal) return fail("the CLI crashed");
  if (r.status != 2) return fail("expected exit status 2");
  if (!r.out.empty()) return fail("expected nothing on stdout");
  if (r.err.empty() || r.err.back() != '\n' || r.err.find('\n') != r.err.size() - 1)
    return fail("expected exactly one line on stderr");
  if (r.err.rfind("zoscope-cli: error: ", 0) != 0) return fail("expected the line to start with \"zoscope-cli: error: \"");
  for (const auto& s : must_contain)
    if (r.err.find(s) == std::string::npos) return fail("expected the line to contain \"" + s + "\"");
  return ::testing::AssertionSuccess();
}

}  // namespace zs::cli_test
