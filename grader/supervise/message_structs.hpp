#pragma once
#include <string>
#include <vector>

namespace ipcgrade::supervise {

// A struct in a program's debug information that has the shape of a System V message: its first
// member is a `long` at offset 0 (the mtype). Its size tells the payload a correct msgsnd/msgrcv
// passes: size - sizeof(long).
struct MessageStruct {
  std::string name;  // "request"; "(anonymous)" for an unnamed struct
  unsigned long size = 0;
};

// The message-shaped structs of the program at `path` (elfutils libdw); empty without debug info.
std::vector<MessageStruct> message_structs(const std::string& path);

// "request=80,reply=72" and back: how the trace carries them on the exec event.
std::string encode_message_structs(const std::vector<MessageStruct>& structs);
std::vector<MessageStruct> decode_message_structs(const std::string& text);

}  // namespace ipcgrade::supervise
