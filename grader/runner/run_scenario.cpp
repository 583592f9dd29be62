// The grader's side of a scenario: fork a supervisor, let it enter the sandbox and run the scenario,
// and read its result back. The grader itself never joins a namespace, so nothing a scenario does can
// change what the grader sees of the host.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "grader/runner/result_json.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/supervise/sandbox.hpp"

namespace ipcgrade::run {

namespace {

// How long past its wall limit a scenario's supervisor may take (audit, reclaim) before the grader
// gives up on it.
constexpr auto kSupervisorGrace = std::chrono::seconds(20);

void write_all(int fd, const std::vector<std::uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void supervisor_main(const config::ScenarioSpec& spec, const RunContext& context, int out_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ScenarioResult result;
  try {
    supervise::Sandbox sandbox;
    std::string error;
    if (!sandbox.enter(&error)) {
      result.name = spec.name;
      result.visibility = spec.visibility;
      result.outcome = Outcome::CrashedGrader;
      result.outcome_detail = "the sandbox could not be set up: " + error;
    } else {
      result = supervise_scenario(spec, context, sandbox.init_pid());
    }
  } catch (const std::exception& e) {
    result.name = spec.name;
    result.outcome = Outcome::CrashedGrader;
    result.outcome_detail = std::string("internal error in the supervisor: ") + e.what();
  }
  write_all(out_fd, nlohmann::json::to_cbor(nlohmann::json(result)));
  ::close(out_fd);
  ::_exit(0);
}

ScenarioResult crashed(const config::ScenarioSpec& spec, const std::string& why) {
  ScenarioResult r;
  r.name = spec.name;
  r.visibility = spec.visibility;
  r.outcome = Outcome::CrashedGrader;
  r.outcome_detail = why;
  return r;
}

}  // namespace

ScenarioResult run_scenario(const config::ScenarioSpec& spec, const RunContext& context) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return crashed(spec, std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return crashed(spec, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    supervisor_main(spec, context, fds[1]);
  }
  ::close(fds[1]);
  std::vector<std::uint8_t> bytes;
  const auto give_up = std::chrono::steady_clock::now() + spec.limits.wall + kSupervisorGrace;
  bool abandoned = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      abandoned = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0) continue;
    std::uint8_t buf[65536];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  ::close(fds[0]);
  if (abandoned) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (abandoned) return crashed(spec, "the scenario's supervisor did not finish in time and was killed");
  try {
    return nlohmann::json::from_cbor(bytes).get<ScenarioResult>();
  } catch (const std::exception& e) {
    const std::string how = WIFSIGNALED(status) ? fmt::format("was killed by signal {}", WTERMSIG(status))
                                                : fmt::format("exited with code {}", WEXITSTATUS(status));
    return crashed(spec, fmt::format("the scenario's supervisor {} without a result ({})", how, e.what()));
  }
}

}  // namespace ipcgrade::run
