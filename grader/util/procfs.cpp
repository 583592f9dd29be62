#include "grader/util/procfs.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

namespace ipcgrade::util {

std::string read_proc_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> read_proc_lines(const std::string& path) {
  std::istringstream in(read_proc_file(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::map<std::string, std::string> proc_status(const std::string& pid) {
  std::map<std::string, std::string> fields;
  for (const auto& line : read_proc_lines("/proc/" + pid + "/status")) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t value = line.find_first_not_of(" \t", colon + 1);
    fields[line.substr(0, colon)] = value == std::string::npos ? "" : line.substr(value);
  }
  return fields;
}

std::vector<std::string> proc_stat_fields(const std::string& pid) {
  const std::string text = read_proc_file("/proc/" + pid + "/stat");
  const size_t paren = text.rfind(')');
  std::vector<std::string> fields;
  if (paren == std::string::npos || paren + 2 >= text.size()) return fields;
  std::istringstream rest(text.substr(paren + 2));
  for (std::string word; rest >> word;) fields.push_back(word);
  return fields;
}

}  // namespace ipcgrade::util
