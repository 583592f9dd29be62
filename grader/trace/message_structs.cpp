#include "grader/trace/message_structs.hpp"

#include <sstream>

namespace ipcgrade::trace {

std::string encode_message_structs(const std::vector<MessageStruct>& structs) {
  std::string out;
  for (const auto& s : structs) out += (out.empty() ? "" : ",") + s.name + "=" + std::to_string(s.size);
  return out;
}

std::vector<MessageStruct> decode_message_structs(const std::string& text) {
  std::vector<MessageStruct> out;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto eq = item.rfind('=');
    if (eq == std::string::npos) continue;
    out.push_back({item.substr(0, eq), std::stoul(item.substr(eq + 1))});
  }
  return out;
}

}  // namespace ipcgrade::trace
