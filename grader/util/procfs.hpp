#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

// The one reader of /proc files. The kernel makes their text anew on each read, so each is read whole
// at once; a process that is gone gives an empty text, never an error.
namespace ipcgrade::util {

// The whole of a /proc file ("/proc/self/stat", "/proc/1001/maps"); empty when it cannot be read.
std::string read_proc_file(const std::string& path);
// Its lines, without their newlines.
std::vector<std::string> read_proc_lines(const std::string& path);

// /proc/PID/status as "Name" -> value, the value with its leading blanks removed ("self" for PID reads
// the caller's own).
std::map<std::string, std::string> proc_status(const std::string& pid);

// The fields of /proc/PID/stat from field 3 (the state) on: the command name before them may hold
// spaces and parentheses, so they start after its last ')'. Empty when the process is gone.
std::vector<std::string> proc_stat_fields(const std::string& pid);

}  // namespace ipcgrade::util
