#pragma once
#include <string>
#include <vector>

namespace ipcgrade::trace {

// A struct in a program's debug information that has the shape of a System V message: its first
// member is a `long` at offset 0 (the mtype). Its size tells the payload a correct msgsnd/msgrcv
// passes: size - sizeof(long). The tracer lists them on the exec event of each submission program.
struct MessageStruct {
  std::string name;  // "request"; "(anonymous)" for an unnamed struct
  unsigned long size = 0;
};

// "request=80,reply=72" and back: how the exec event's `message_structs` argument spells them.
std::string encode_message_structs(const std::vector<MessageStruct>& structs);
std::vector<MessageStruct> decode_message_structs(const std::string& text);

}  // namespace ipcgrade::trace
