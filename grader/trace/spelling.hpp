#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// How a traced value is written for a reader: the way a student writes it in C. Events carry numbers;
// these functions are the only place that turns them into text (the formatter, the trace file, the
// evidence) and, for trace files, back.
namespace ipcgrade::trace {

enum class Spelling : std::uint8_t {
  Decimal,       // 80
  Key,           // 0x00005000, IPC_PRIVATE
  GetFlags,      // IPC_CREAT|IPC_EXCL|0600 (the *get calls' flags: creation bits and mode)
  Mode,          // 0600
  MsgFlags,      // 0, IPC_NOWAIT|MSG_NOERROR
  ShmFlags,      // 0, SHM_RDONLY
  MsgCommand,    // IPC_RMID, MSG_STAT, ...
  ShmCommand,    // IPC_RMID, SHM_LOCK, ...
  SemCommand,    // IPC_RMID, SETVAL, GETALL, ...
  Address,       // 0x7f12..., NULL for 0
  Hex,           // 0x7f12..., 0x0 for 0
  PipeEnd,       // read (0), write (1), read/write (2: a FIFO opened O_RDWR)
  OpenFlags,     // O_CLOEXEC (pipe2's flags: the one that matters here)
  Signal,        // SIGTERM, 0
  SocketFamily,  // AF_UNIX, AF_INET, ...
  SocketType,    // SOCK_STREAM, ...
  PrctlOption,   // PR_SET_SECCOMP
  Elided,        // ... (a pointer whose contents the tracer does not read)
  OutStruct,     // {...} (a struct the kernel fills: nothing to show at entry)
  MtypeStruct,   // {mtype=3, ...}: a message, by its type
  Bytes,         // "text"...: the first bytes written (held as text, not as a number)
  Path,          // "/tmp/fifo": the name a call makes or opens (held as text, read from memory)
  DirFd,         // AT_FDCWD, 3: the folder a relative Path is taken from
  SockAddr,      // {AF_UNIX, "/tmp/sock"}: a socket's address (held as text)
  SemOps,        // [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}]: semop's operations (held as Event::sem_ops)
  SemFlags,      // 0, SEM_UNDO, IPC_NOWAIT|SEM_UNDO
  MqOpenFlags,   // O_RDONLY|O_CREAT|O_EXCL: an access mode and flags (mq_open's, open's, shm_open's)
  MqAttr,        // {mq_maxmsg=10, mq_msgsize=64}, NULL: from the event's mq_maxmsg and mq_msgsize
  MmapProt,      // PROT_READ|PROT_WRITE, PROT_NONE
  MmapFlags,     // MAP_SHARED, MAP_PRIVATE|MAP_ANONYMOUS
};

// The value as the C source would show it.
std::string spell(Spelling spelling, long long value);
// The value back from its spelling (a trace file); nullopt when `text` is not one.
std::optional<long long> parse(Spelling spelling, std::string_view text);

// The two spellings other code needs by name: a System V key and an address.
std::string key_hex(long key);              // "0x00005000", "0x00000000"
std::string key_name(long key);             // "0x00005000", "IPC_PRIVATE"
std::string hex(unsigned long long value);  // "0x7f12..."
// Descriptors as evidence lists them: "fd 4, fd 5".
std::string fd_list(const std::vector<int>& fds);
// semop's operations as strace shows them, and back: "[{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}]".
struct SemOp;
std::string sem_ops_text(const std::vector<SemOp>& ops);
std::optional<std::vector<SemOp>> parse_sem_ops(std::string_view text);

}  // namespace ipcgrade::trace
