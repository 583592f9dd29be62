#include "grader/batch/batch.hpp"

#include "grader/config/error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>

#include "grader/batch/class_page.hpp"
#include "grader/batch/gradebook.hpp"
#include "grader/batch/progress.hpp"
#include "grader/batch/shard.hpp"
#include "grader/batch/worker.hpp"
#include "grader/report/render.hpp"
#include "grader/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::batch {

namespace {

// What batch writes for the class beside the students' folders.
const std::vector<std::string> kClassFiles = {"gradebook.csv", "summary.md",   "index.html",
                                              "shard.yaml",    "results.json", "junit.xml"};

// Every student folder of the class, in name order.
std::vector<std::string> class_of(const Options& o) {
  std::vector<std::string> all;
  for (const auto& entry : fs::directory_iterator(o.submissions)) {
    if (entry.path().filename().string()[0] == '.') continue;
    // A student folder that is a symlink could lead the grader to anyone's files: never followed.
    if (entry.is_symlink()) {
      spdlog::warn("skipping {}: a student folder must be a folder, not a symlink", entry.path().string());
      continue;
    }
    if (entry.is_directory()) all.push_back(entry.path().filename().string());
  }
  std::sort(all.begin(), all.end());
  return all;
}

// Starts `ipcgrade grade` for one student (worker.cpp); its log goes to DIR/<student>/grader.log.
Worker start_worker(const Options& o, const std::string& student) {
  const fs::path dir = o.out / student;
  // Graded again: a report left from an earlier batch must not stand for this grading.
  std::error_code ec;
  fs::remove(dir / "report.yaml", ec);
  fs::create_directories(dir, ec);  // its grader.log is opened before it runs
  std::vector<std::string> args = {"grade",
                                   o.assignment.string(),
                                   (o.submissions / student).string(),
                                   "--student",
                                   student,
                                   "--report",
                                   (dir / "report.yaml").string(),
                                   "--html",
                                   (dir / "report.html").string()};
  if (o.gradescope) args.insert(args.end(), {"--gradescope", (dir / "results.json").string()});
  if (o.junit) args.insert(args.end(), {"--junit", (dir / "junit.xml").string()});
  args.insert(args.end(), {"--isolation", o.isolation});
  if (!o.tracer.empty()) args.insert(args.end(), {"--tracer", o.tracer});
  if (o.runs > 0) args.insert(args.end(), {"--runs", std::to_string(o.runs)});
  if (!o.seed.empty()) args.insert(args.end(), {"--seed", o.seed});
  std::fflush(nullptr);
  return Worker(args, dir / "grader.log");
}

// A worker that crashed: its student gets a report that says so, and a score of 0.
void record_fault(const config::Assignment& a, const Options& o, const std::string& student, int status) {
  const std::string why = WIFSIGNALED(status)
                              ? fmt::format("the grader's worker was killed by signal {} ({})",
                                            WTERMSIG(status), strsignal(WTERMSIG(status)))
                              : fmt::format("the grader's worker exited with code {}", WEXITSTATUS(status));
  std::string log;
  try {
    log = util::read_file(o.out / student / "grader.log");
  } catch (const std::exception&) {
  }
  double max = 0;
  for (const auto& c : a.checks) max += c.points;
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "assignment" << YAML::Value << a.id << YAML::Key << "student"
    << YAML::Value << student << YAML::Key << "score" << YAML::Value << 0 << YAML::Key << "max_score"
    << YAML::Value << max << YAML::Key << "internal_fault" << YAML::Value << why << YAML::Key << "log"
    << YAML::Value << YAML::DoubleQuoted << log << YAML::Key << "checks" << YAML::Value << YAML::Flow
    << YAML::BeginSeq << YAML::EndSeq << YAML::EndMap;
  util::write_file_atomically(o.out / student / "report.yaml", std::string(y.c_str()) + "\n");
}

volatile std::sig_atomic_t interrupted = 0;

// SIGINT and SIGTERM while the batch runs: noted, so that the loop stops its workers and says how to
// go on; the default actions come back when it is done.
class Interrupt {
 public:
  Interrupt() {
    interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = [](int) { interrupted = 1; };
    ::sigemptyset(&sa.sa_mask);  // no SA_RESTART: waitpid returns EINTR
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~Interrupt() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  Interrupt(const Interrupt&) = delete;
  Interrupt& operator=(const Interrupt&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace

Outcome grade_class(const config::Assignment& a, const Options& o) {
  const std::vector<std::string> everyone = class_of(o);
  std::vector<std::string> students;  // this shard's
  for (const auto& s : everyone) {
    if (shard_of(s, o.shards) == o.shard) students.push_back(s);
  }
  // The class's own files sit beside the students' folders in --out: a student folder of the same name
  // would take its place (and the class's files could not be written). Said before anything is graded.
  for (const auto& s : students) {
    if (std::find(kClassFiles.begin(), kClassFiles.end(), s) != kClassFiles.end())
      throw config::ConfigError(fmt::format(
          "{}: a student folder named '{}' would take the place of the class's own {} in --out; rename it "
          "(the class's files are {})",
          (o.submissions / s).string(), s, s, fmt::join(kClassFiles, ", ")));
  }
  // Reports of an earlier run are the instructor's record: graded again only when asked (a rerun would
  // replace a score, 85 by 65, without a word).
  if (!o.resume && !o.force) {
    size_t reports = 0;
    std::error_code ec;
    for (const auto& s : students) reports += fs::exists(o.out / s / "report.yaml", ec) ? 1 : 0;
    if (reports > 0 || fs::exists(o.out / "gradebook.csv", ec))
      throw config::ConfigError(fmt::format(
          "{} already holds the reports of an earlier run ({} of these {} students'{}): add --resume to keep "
          "them and grade the others, or --force to grade every student again",
          o.out.string(), reports, students.size(),
          fs::exists(o.out / "gradebook.csv", ec) ? ", and gradebook.csv" : ""));
  }
  fs::create_directories(o.out);
  Outcome outcome;
  outcome.students = students.size();
  std::vector<std::string> todo;
  for (const auto& s : students) {
    // --resume keeps a complete report; one that holds a fault of the grader's (an OOM-killed worker)
    // is graded again, so that a transient fault never stays a 0.
    if (o.resume) {
      const auto row = read_row(o.out / s / "report.yaml");
      if (row && row->fault.empty()) {
        ++outcome.kept;
        continue;
      }
      if (row) ++outcome.regraded;
    }
    todo.push_back(s);
  }
  outcome.graded = todo.size();
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  Progress progress(todo.size(), outcome.kept, tty);
  std::map<pid_t, std::pair<Worker, std::string>> running;  // by pid: the worker and its student
  size_t next = 0;
  const Interrupt interrupt;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < o.jobs && !interrupted) {
      Worker w = start_worker(o, todo[next]);
      const pid_t pid = w.pid();
      running.emplace(pid, std::pair{std::move(w), todo[next]});
      ++next;
    }
    if (interrupted) {
      // Ctrl-C: the students being graded are left without a report (the resumed batch grades them).
      for (auto& [pid, worker] : running) worker.first.kill();
      progress.finish();
      std::cerr << fmt::format(
          "interrupted: {} of {} graded, their reports kept in {}; run the same command with --resume to "
          "grade "
          "the rest\n",
          progress.graded() + outcome.kept, students.size(), o.out.string());
      throw Interrupted{};
    }
    int status = 0;
    // On a terminal the line is redrawn while the workers grade, so that its ETA moves. Any child is
    // reaped: the orphans a worker's grading leaves come back to the batch (a subreaper) too.
    const pid_t pid = ::waitpid(-1, &status, tty ? WNOHANG : 0);
    if (pid == 0) {
      progress.tick();
      ::usleep(50 * 1000);
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    it->second.first.reaped(status);
    const std::string student = it->second.second;
    running.erase(it);
    const bool graded = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1);
    // A worker that failed but wrote its report (exit 3: a scenario the grader could not run, or the
    // grading's own crash, which the worker's guard reports) keeps it: it says what happened.
    const bool reported =
        WIFEXITED(status) && WEXITSTATUS(status) == 3 && read_row(o.out / student / "report.yaml");
    if (!graded && !reported) record_fault(a, o, student, status);
    // The worker's log is kept only when it says something (a warning, a fault); -v fills it.
    std::error_code ec;
    if (fs::file_size(o.out / student / "grader.log", ec) == 0 && !ec)
      fs::remove(o.out / student / "grader.log", ec);
    progress.done(student, read_row(o.out / student / "report.yaml"));
  }
  progress.finish();
  std::vector<Row> rows;
  for (const auto& s : students) {
    auto row = read_row(o.out / s / "report.yaml");
    if (!row || !row->fault.empty()) outcome.faulted.push_back(s);
    if (row) rows.push_back(*row);
  }
  util::write_file_atomically(o.out / "gradebook.csv", gradebook_csv(a, rows));
  util::write_file_atomically(o.out / "summary.md", summary_md(a, rows));
  util::write_file_atomically(o.out / "index.html", class_index_html(a, rows));
  ShardFile shard;
  shard.version = IPCGRADE_VERSION;
  shard.shard = o.shard;
  shard.shards = o.shards;
  shard.class_list = everyone;
  shard.students = students;
  write_shard_file(o.out, a, shard);
  return outcome;
}

}  // namespace ipcgrade::batch
