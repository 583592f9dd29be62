#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "grader/batch/gradebook.hpp"

namespace ipcgrade::batch {

// The batch's progress on stderr. On a terminal, one line redrawn in place and cut to the terminal's
// width (a longer one would wrap, and each redraw leave a broken copy behind), with the time per student
// and an ETA that moves between results (tick); otherwise one line per student.
class Progress {
 public:
  Progress(size_t total, size_t kept, bool tty);
  void done(const std::string& student, const std::optional<Row>& row);
  void tick();  // redraws the line on a terminal when half a second has passed
  void finish();
  size_t graded() const { return done_; }

 private:
  using Clock = std::chrono::steady_clock;
  void draw();
  size_t total_, kept_, done_ = 0, failing_ = 0;
  bool tty_;
  Clock::time_point start_, last_done_, last_draw_;
  std::string last_;  // "alice 85/100"
};

// The width of the terminal on `fd`; 80 when it says nothing.
size_t terminal_width(int fd);

}  // namespace ipcgrade::batch
