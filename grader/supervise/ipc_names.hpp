#pragma once
#include <string>

// How the trace spells IPC arguments: the way a student writes them in C.
namespace ipcgrade::supervise {

std::string key_name(long key);                           // "0x00005000", "IPC_PRIVATE"
std::string get_flags_name(long flags);                   // "IPC_CREAT|IPC_EXCL|0600"
std::string msg_flags_name(long flags);                   // "0", "IPC_NOWAIT|MSG_NOERROR"
std::string shm_flags_name(long flags);                   // "0", "SHM_RDONLY"
std::string ctl_command_name(long command, char family);  // family m(sg) s(hm) e (sem): "IPC_RMID", ...
std::string hex(unsigned long long value);                // "0x7f12..."

}  // namespace ipcgrade::supervise
