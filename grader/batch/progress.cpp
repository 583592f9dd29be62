#include "grader/batch/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <iostream>

#include "grader/util/text.hpp"

namespace ipcgrade::batch {

Progress::Progress(size_t total, size_t kept, bool tty)
    : total_(total), kept_(kept), tty_(tty), start_(Clock::now()), last_done_(start_), last_draw_(start_) {
  if (kept_ > 0)
    std::cerr << fmt::format("resuming: {} kept from an earlier run, {} to grade\n", kept_, total_);
  if (tty_) draw();
}

void Progress::done(const std::string& student, const std::optional<Row>& row) {
  ++done_;
  last_done_ = Clock::now();
  if (row && row->score < row->max_score) ++failing_;
  last_ = student + " " +
          (!row                  ? std::string("no report")
           : !row->fault.empty() ? std::string("internal fault")
                                 : fmt::format("{}/{}", row->score, row->max_score));
  if (tty_)
    draw();
  else
    std::cerr << fmt::format("[{}/{}] {}\n", done_, total_, last_);
}

void Progress::tick() {
  if (tty_ && Clock::now() - last_draw_ >= std::chrono::milliseconds(500)) draw();
}

void Progress::draw() {
  const auto now = Clock::now();
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = fmt::format("{}/{} graded", done_, total_);
  if (kept_ > 0) line += fmt::format(" ({} kept)", kept_);
  if (done_ > 0) {
    // The wall time per student so far (with --jobs N, N at once); the ETA counts down from the last
    // result, so that it moves while a slow student is graded.
    const double per = elapsed / static_cast<double>(done_);
    const double since = std::chrono::duration<double>(now - last_done_).count();
    const double eta = std::max(0.0, per * static_cast<double>(total_ - done_) - since);
    line += fmt::format(" · {:.1f} s/student · ETA {:.0f} s · {} below full marks · last: {}", per, eta,
                        failing_, last_);
  } else {
    line += fmt::format(" · {:.0f} s", elapsed);
  }
  std::cerr << "\r\033[K" << util::cut_to_columns(line, terminal_width(STDERR_FILENO) - 1) << std::flush;
}

void Progress::finish() {
  if (tty_) {
    draw();
    std::cerr << "\n";
  }
}

size_t terminal_width(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace ipcgrade::batch
