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
  std::string assignment;               // the folder of the assignment file
  std::string submission;               // the scratch copy of the submission
  std::vector<std::string> names = {};  // POSIX object names: object_names()

  std::string expand(const std::string& text) const;
};

// The POSIX object names handed to a student, one per key: "/" + the assignment's id + "-" + the key in
// hex ("/posix-mq-relay-3f2a010"). Stable and distinct as the keys are; {name}, {name0}, ... stand for
// them.
std::vector<std::string> object_names(const std::string& assignment_id, const std::vector<key_t>& keys);

// The name of the first placeholder in `text` that is not one of {key}, {key0}.., {key_hex},
// {key0_hex}.., {name}, {name0}.., {index}, {student}, {assignment}, {submission} for `key_count` keys.
std::optional<std::string> unknown_placeholder(const std::string& text, int key_count);

}  // namespace ipcgrade::config
