#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ipcgrade::config {

// What a placeholder in `run`, `stdin` and `stdin_file` stands for in one process of one run.
struct Placeholders {
  std::vector<key_t> keys;
  int index = 0;
  std::string student;
  std::string assignment;  // the folder of the assignment file
  std::string submission;  // the scratch copy of the submission

  std::string expand(const std::string& text) const;
};

// The name of the first placeholder in `text` that is not one of {key}, {key0}.., {key_hex},
// {key0_hex}.., {index}, {student}, {assignment}, {submission} for `key_count` keys.
std::optional<std::string> unknown_placeholder(const std::string& text, int key_count);

}  // namespace ipcgrade::config
