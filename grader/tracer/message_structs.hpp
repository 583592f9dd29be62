#pragma once
#include <string>
#include <vector>

#include "grader/trace/message_structs.hpp"

namespace ipcgrade::tracer {

using trace::MessageStruct;

// The message-shaped structs of the program at `path` (elfutils libdw); empty without debug info.
std::vector<MessageStruct> message_structs(const std::string& path);

}  // namespace ipcgrade::tracer
