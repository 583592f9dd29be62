#include "grader/trace/spelling.hpp"

#include "grader/trace/trace.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace ipcgrade::trace {

namespace {

struct Name {
  long long value;
  std::string_view name;
};

// Flag bits, by spelling: each table is read both ways, so a name and its bit are written once.
constexpr Name kGetFlags[] = {{IPC_CREAT, "IPC_CREAT"}, {IPC_EXCL, "IPC_EXCL"}};
constexpr Name kMsgFlags[] = {{IPC_NOWAIT, "IPC_NOWAIT"},
                              {MSG_NOERROR, "MSG_NOERROR"},
                              {MSG_EXCEPT, "MSG_EXCEPT"},
                              {MSG_COPY, "MSG_COPY"}};
constexpr Name kShmFlags[] = {
    {SHM_RDONLY, "SHM_RDONLY"}, {SHM_RND, "SHM_RND"}, {SHM_REMAP, "SHM_REMAP"}, {SHM_EXEC, "SHM_EXEC"}};
constexpr Name kOpenFlags[] = {{O_CLOEXEC, "O_CLOEXEC"}};
constexpr Name kSemFlags[] = {{IPC_NOWAIT, "IPC_NOWAIT"}, {SEM_UNDO, "SEM_UNDO"}};
constexpr Name kAccessModes[] = {{O_RDONLY, "O_RDONLY"}, {O_WRONLY, "O_WRONLY"}, {O_RDWR, "O_RDWR"}};
constexpr Name kMqFlags[] = {{O_CREAT, "O_CREAT"},      {O_EXCL, "O_EXCL"},         {O_TRUNC, "O_TRUNC"},
                             {O_APPEND, "O_APPEND"},    {O_NONBLOCK, "O_NONBLOCK"}, {O_CLOEXEC, "O_CLOEXEC"},
                             {O_NOFOLLOW, "O_NOFOLLOW"}};
constexpr Name kProt[] = {{PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"}, {PROT_EXEC, "PROT_EXEC"}};
constexpr Name kMapFlags[] = {{MAP_SHARED, "MAP_SHARED"},
                              {MAP_PRIVATE, "MAP_PRIVATE"},
                              {MAP_FIXED, "MAP_FIXED"},
                              {MAP_ANONYMOUS, "MAP_ANONYMOUS"}};

// Commands and other enumerations: one value each.
constexpr Name kMsgCommands[] = {{IPC_RMID, "IPC_RMID"}, {IPC_SET, "IPC_SET"},   {IPC_STAT, "IPC_STAT"},
                                 {IPC_INFO, "IPC_INFO"}, {MSG_STAT, "MSG_STAT"}, {MSG_INFO, "MSG_INFO"}};
constexpr Name kShmCommands[] = {{IPC_RMID, "IPC_RMID"}, {IPC_SET, "IPC_SET"},   {IPC_STAT, "IPC_STAT"},
                                 {IPC_INFO, "IPC_INFO"}, {SHM_LOCK, "SHM_LOCK"}, {SHM_UNLOCK, "SHM_UNLOCK"},
                                 {SHM_STAT, "SHM_STAT"}};
constexpr Name kSemCommands[] = {{IPC_RMID, "IPC_RMID"}, {IPC_SET, "IPC_SET"}, {IPC_STAT, "IPC_STAT"},
                                 {IPC_INFO, "IPC_INFO"}, {GETVAL, "GETVAL"},   {SETVAL, "SETVAL"},
                                 {GETALL, "GETALL"},     {SETALL, "SETALL"},   {GETPID, "GETPID"},
                                 {GETNCNT, "GETNCNT"},   {GETZCNT, "GETZCNT"}};
constexpr Name kFamilies[] = {{AF_UNIX, "AF_UNIX"},
                              {AF_INET, "AF_INET"},
                              {AF_INET6, "AF_INET6"},
                              {AF_NETLINK, "AF_NETLINK"},
                              {AF_PACKET, "AF_PACKET"}};
constexpr Name kSocketTypes[] = {{SOCK_STREAM, "SOCK_STREAM"},
                                 {SOCK_DGRAM, "SOCK_DGRAM"},
                                 {SOCK_RAW, "SOCK_RAW"},
                                 {SOCK_SEQPACKET, "SOCK_SEQPACKET"}};
constexpr Name kPrctlOptions[] = {{PR_SET_SECCOMP, "PR_SET_SECCOMP"}, {PR_SET_DUMPABLE, "PR_SET_DUMPABLE"}};

std::optional<long long> integer(std::string_view text, int base = 10) {
  long long v = 0;
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (base == 16 && (text.starts_with("0x") || text.starts_with("0X"))) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  unsigned long long u = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), u, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  v = static_cast<long long>(u);
  return negative ? -v : v;
}

std::string one_of(std::span<const Name> names, long long value) {
  for (const auto& n : names) {
    if (n.value == value) return std::string(n.name);
  }
  return std::to_string(value);
}

std::optional<long long> parse_one_of(std::span<const Name> names, std::string_view text) {
  for (const auto& n : names) {
    if (n.name == text) return n.value;
  }
  return integer(text);
}

// "A|B|0600": the named bits in table order, then the mode when `with_mode`; "0" when nothing is set.
std::string bits(std::span<const Name> names, long long value, bool with_mode) {
  std::string out;
  for (const auto& n : names) {
    if (value & n.value) out += (out.empty() ? "" : "|") + std::string(n.name);
  }
  if (with_mode) return out + (out.empty() ? "" : "|") + fmt::format("{:04o}", value & 0777);
  return out.empty() ? "0" : out;
}

std::optional<long long> parse_bits(std::span<const Name> names, std::string_view text) {
  long long value = 0;
  while (!text.empty()) {
    const auto bar = text.find('|');
    const std::string_view token = text.substr(0, bar);
    bool known = false;
    for (const auto& n : names) {
      if (n.name == token) {
        value |= n.value;
        known = true;
      }
    }
    if (!known) {
      const auto number = integer(token, token.size() > 1 && token.front() == '0' ? 8 : 10);
      if (!number) return std::nullopt;
      value |= *number;
    }
    text = bar == std::string_view::npos ? std::string_view() : text.substr(bar + 1);
  }
  return value;
}

}  // namespace

std::string key_hex(long key) {
  return fmt::format("0x{:08x}", static_cast<unsigned long>(key) & 0xffffffffUL);
}

std::string key_name(long key) {
  return key == IPC_PRIVATE ? "IPC_PRIVATE" : key_hex(key);
}

std::string sem_ops_text(const std::vector<SemOp>& ops) {
  std::string out = "[";
  for (const auto& op : ops) {
    out += fmt::format("{}{{sem_num={}, sem_op={}, sem_flg={}}}", out.size() > 1 ? ", " : "", op.num, op.op,
                       spell(Spelling::SemFlags, op.flags));
  }
  return out + "]";
}

std::optional<std::vector<SemOp>> parse_sem_ops(std::string_view text) {
  std::vector<SemOp> out;
  if (!text.starts_with("[") || !text.ends_with("]")) return std::nullopt;
  for (size_t at = text.find("{sem_num="); at != std::string_view::npos;
       at = text.find("{sem_num=", at + 1)) {
    const auto end = text.find('}', at);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view one = text.substr(at + 1, end - at - 1);  // sem_num=0, sem_op=-1, sem_flg=...
    const auto field = [&](std::string_view name) {
      const auto from = one.find(name);
      if (from == std::string_view::npos) return std::string_view();
      const auto value = one.substr(from + name.size());
      return value.substr(0, value.find(','));
    };
    const auto num = integer(field("sem_num=")), op = integer(field("sem_op="));
    const auto flags = parse_bits(kSemFlags, field("sem_flg="));
    if (!num || !op || !flags) return std::nullopt;
    out.push_back({static_cast<int>(*num), static_cast<int>(*op), static_cast<int>(*flags)});
  }
  return out;
}

std::string fd_list(const std::vector<int>& fds) {
  std::string out;
  for (const int fd : fds) out += (out.empty() ? "" : ", ") + fmt::format("fd {}", fd);
  return out;
}

std::string hex(unsigned long long value) {
  return fmt::format("0x{:x}", value);
}

std::string spell(Spelling spelling, long long v) {
  switch (spelling) {
    case Spelling::Decimal:
    case Spelling::Bytes:
    case Spelling::Path:
    case Spelling::SockAddr:
    case Spelling::SemOps:
      return std::to_string(v);
    case Spelling::DirFd:
      return v == AT_FDCWD ? "AT_FDCWD" : std::to_string(v);
    case Spelling::Key:
      return key_name(static_cast<long>(v));
    case Spelling::GetFlags:
      return bits(kGetFlags, v, true);
    case Spelling::Mode:
      return fmt::format("{:04o}", v & 0777);
    case Spelling::MsgFlags:
      return bits(kMsgFlags, v, false);
    case Spelling::ShmFlags:
      return bits(kShmFlags, v, false);
    case Spelling::OpenFlags:
      return bits(kOpenFlags, v, false);
    case Spelling::SemFlags:
      return bits(kSemFlags, v, false);
    case Spelling::MqOpenFlags: {
      const std::string rest = bits(kMqFlags, v, false);
      return one_of(kAccessModes, v & O_ACCMODE) + (rest == "0" ? "" : "|" + rest);
    }
    case Spelling::MqAttr:
      return "NULL";  // the formatter shows an attribute struct from the event's values
    case Spelling::MsgCommand:
      return one_of(kMsgCommands, v);
    case Spelling::ShmCommand:
      return one_of(kShmCommands, v);
    case Spelling::SemCommand:
      return one_of(kSemCommands, v);
    case Spelling::Address:
      return v ? hex(static_cast<unsigned long long>(v)) : "NULL";
    case Spelling::Hex:
      return hex(static_cast<unsigned long long>(v));
    case Spelling::PipeEnd:
      return v == 2 ? "read/write" : v ? "write" : "read";
    case Spelling::MmapProt:
      return v == PROT_NONE ? "PROT_NONE" : bits(kProt, v, false);
    case Spelling::MmapFlags:
      return bits(kMapFlags, v, false);
    case Spelling::Signal: {
      const char* abbrev = v > 0 && v < 65 ? sigabbrev_np(static_cast<int>(v)) : nullptr;
      return abbrev ? std::string("SIG") + abbrev : std::to_string(v);
    }
    case Spelling::SocketFamily:
      return one_of(kFamilies, v);
    case Spelling::SocketType:
      return one_of(kSocketTypes, v & 0xf);  // without SOCK_NONBLOCK and SOCK_CLOEXEC
    case Spelling::PrctlOption:
      return one_of(kPrctlOptions, v);
    case Spelling::Elided:
      return "...";
    case Spelling::OutStruct:
      return "{...}";
    case Spelling::MtypeStruct:
      return fmt::format("{{mtype={}, ...}}", v);
  }
  return std::to_string(v);
}

std::optional<long long> parse(Spelling spelling, std::string_view text) {
  switch (spelling) {
    case Spelling::Key:
      if (text == "IPC_PRIVATE") return IPC_PRIVATE;
      if (auto v = integer(text, 16)) return static_cast<long long>(static_cast<std::int32_t>(*v));
      return std::nullopt;
    case Spelling::GetFlags:
      return parse_bits(kGetFlags, text);
    case Spelling::Mode:
      return integer(text, 8);
    case Spelling::MsgFlags:
      return parse_bits(kMsgFlags, text);
    case Spelling::ShmFlags:
      return parse_bits(kShmFlags, text);
    case Spelling::OpenFlags:
      return parse_bits(kOpenFlags, text);
    case Spelling::SemFlags:
      return parse_bits(kSemFlags, text);
    case Spelling::MqOpenFlags: {
      const auto bar = text.find('|');
      const auto mode = parse_one_of(kAccessModes, text.substr(0, bar));
      if (!mode) return std::nullopt;
      if (bar == std::string_view::npos) return mode;
      const auto rest = parse_bits(kMqFlags, text.substr(bar + 1));
      return rest ? std::optional<long long>(*mode | *rest) : std::nullopt;
    }
    case Spelling::MsgCommand:
      return parse_one_of(kMsgCommands, text);
    case Spelling::ShmCommand:
      return parse_one_of(kShmCommands, text);
    case Spelling::SemCommand:
      return parse_one_of(kSemCommands, text);
    case Spelling::Address:
      if (text == "NULL") return 0;
      return integer(text, 16);
    case Spelling::Hex:
      return integer(text, 16);
    case Spelling::DirFd:
      if (text == "AT_FDCWD") return AT_FDCWD;
      return integer(text);
    case Spelling::PipeEnd:
      if (text == "read") return 0;
      if (text == "write") return 1;
      if (text == "read/write") return 2;
      return std::nullopt;
    case Spelling::MmapProt:
      if (text == "PROT_NONE") return PROT_NONE;
      return parse_bits(kProt, text);
    case Spelling::MmapFlags:
      return parse_bits(kMapFlags, text);
    default:
      return integer(text);
  }
}

}  // namespace ipcgrade::trace
