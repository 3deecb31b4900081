// The `--nproc N` launcher (see dist.h dist_launch): torchrun's job on one machine.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include "core/llm/torch/dist.h"
#include "core/util/error.h"

namespace zs {

namespace {

// A port that is free now (bound to 127.0.0.1:0 and released; rank 0 binds it right away).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("--nproc", std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    const int err = errno;
    ::close(fd);
    fail("--nproc", std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(err));
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// "0-3" / "0,2,5" for a sorted CPU list (the launcher's log line).
std::string cpu_list_text(const std::vector<int>& cpus) {
  std::string t;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    t += (t.empty() ? "" : ",") + std::to_string(cpus[i]) + (j > i ? "-" + std::to_string(cpus[j]) : "");
    i = j + 1;
  }
  return t;
}

std::string status_text(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  if (WEXITSTATUS(status) == kDistLostRankStatus) return "lost the other ranks (exit status " + std::to_string(kDistLostRankStatus) + ")";
  return "failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
}

// The CPUs this process may run on (sched_getaffinity); empty if unknown.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return {};
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

}  // namespace

std::vector<std::vector<int>> dist_cpu_slices(const std::vector<int>& cpus, int nproc) {
  if (nproc < 2 || static_cast<int>(cpus.size()) < nproc) return {};
  std::vector<std::vector<int>> out(static_cast<size_t>(nproc));
  const size_t n = cpus.size();
  for (int r = 0; r < nproc; ++r)
    for (size_t k = n * static_cast<size_t>(r) / static_cast<size_t>(nproc); k < n * static_cast<size_t>(r + 1) / static_cast<size_t>(nproc); ++k)
      out[static_cast<size_t>(r)].push_back(cpus[k]);
  return out;
}

std::vector<std::vector<int>> dist_launch_cpu_slices(int nproc) {
  const char* v = std::getenv("ZOSCOPE_BIND_CPUS");
  if (v && std::string(v) == "0") return {};
  return dist_cpu_slices(allowed_cpus(), nproc);
}

void dist_check_nproc_cpus(int nproc, const std::string& what) {
  const int cpus = static_cast<int>(allowed_cpus().size());
  if (cpus > 0 && nproc > kMaxRanksPerCpu * cpus)
    fail(what, "more than " + std::to_string(kMaxRanksPerCpu) + " ranks per CPU: this process may use " +
                   std::to_string(cpus) + " CPU" + (cpus == 1 ? "" : "s") +
                   " (ranks beyond them only take turns on them); use at most " + std::to_string(kMaxRanksPerCpu * cpus) +
                   " ranks here, or torchrun / srun over several machines");
}

void dist_launch(const std::vector<std::string>& args, int nproc, double grace_s,
                 const std::function<void(const std::string&)>& log) {
  if (nproc < 1) fail("--nproc", "value " + std::to_string(nproc) + " must be at least 1");
  const int port = free_port();
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const std::vector<std::vector<int>> slices = dist_launch_cpu_slices(nproc);
  std::vector<pid_t> pids;
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      for (pid_t p : pids) ::kill(p, SIGKILL);
      fail("--nproc", std::string("fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // ranks die with the launcher
      if (::getppid() != parent) std::_Exit(125);
      ::setenv("RANK", std::to_string(r).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      if (!slices.empty()) {  // inherited by the rank's threads and across exec
        cpu_set_t set;
        CPU_ZERO(&set);
        for (int c : slices[static_cast<size_t>(r)]) CPU_SET(c, &set);
        ::sched_setaffinity(0, sizeof set, &set);
      }
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::fprintf(stderr, "--nproc: exec %s failed: %s\n", argv[0], std::strerror(errno));
      std::_Exit(127);
    }
    pids.push_back(pid);
  }
  std::string bound;
  for (size_t r = 0; r < slices.size(); ++r) bound += (r ? " | " : "; CPUs ") + cpu_list_text(slices[r]);
  if (log)
    log("started " + std::to_string(nproc) + " ranks (MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + bound + ")");
  // Wait for every rank; after the first failure the others get grace_s to stop by themselves.
  // The rank named is the first that failed for a reason of its own: a rank whose collective
  // failed (kDistLostRankStatus) only lost another, and often exits first (the failing rank
  // closes its connections while it unwinds, before it prints and exits).
  int first_rank = -1, first_status = 0, left = nproc;
  bool first_lost = false;
  std::vector<char> done(static_cast<size_t>(nproc), 0);
  auto deadline = std::chrono::steady_clock::time_point::max();
  bool killed = false;
  while (left > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, first_rank < 0 ? 0 : WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;
    if (pid == 0) {
      if (std::chrono::steady_clock::now() > deadline && !killed) {
        for (int r = 0; r < nproc; ++r)
          if (!done[static_cast<size_t>(r)]) {
            if (log) log("rank " + std::to_string(r) + " did not stop within " + fmt_double(grace_s) + " s; killing it");
            ::kill(pids[static_cast<size_t>(r)], SIGKILL);
          }
        killed = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    int r = 0;
    while (r < nproc && pids[static_cast<size_t>(r)] != pid) ++r;
    if (r == nproc) continue;
    done[static_cast<size_t>(r)] = 1;
    --left;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool lost = WIFEXITED(status) && WEXITSTATUS(status) == kDistLostRankStatus;
    if (!ok && (first_rank < 0 || (first_lost && !lost))) {
      if (first_rank < 0)
        deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(grace_s * 1000));
      first_rank = r;
      first_status = status;
      first_lost = lost;
    }
  }
  if (first_rank < 0) return;
  // A kill or the stop drill (exit 75) interrupted the run: --resume continues it, on any
  // number of ranks. Any other status is a failure on its input, already explained above.
  const bool interrupted = WIFSIGNALED(first_status) || WEXITSTATUS(first_status) == 75;
  fail("finetune", "rank " + std::to_string(first_rank) + " of " + std::to_string(nproc) + " " +
                       status_text(first_status) +
                       (interrupted ? "; continue the run with --resume (on any number of ranks)"
                                    : " (its error line is above); a run stopped by a lost rank continues with --resume"));
}

}  // namespace zs
