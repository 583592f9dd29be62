#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ipcgrade::trace {

// Every name an event's values and texts are known by, sorted: the call table's arguments and recorded
// values (calls.cpp), and what exit events add (an exit's code, signal and crash). Events, decoders,
// checks and the call table's own rows name values through ValueName, whose constructor from a literal
// runs while compiling: a misspelt name ("mtpye") does not build, where a lookup by string would have
// answered 0. A test asserts that the list names exactly what the call table and exit events use.
inline constexpr auto kValueNames = std::to_array<std::string_view>({"...",
                                                                     "addr",
                                                                     "address",
                                                                     "addrlen",
                                                                     "attr",
                                                                     "buf",
                                                                     "cmd",
                                                                     "code",
                                                                     "count",
                                                                     "crash",
                                                                     "crash_address",
                                                                     "crash_at",
                                                                     "created",
                                                                     "dev",
                                                                     "dirfd",
                                                                     "domain",
                                                                     "end",
                                                                     "entries",
                                                                     "existed",
                                                                     "fd",
                                                                     "fifo",
                                                                     "first",
                                                                     "flags",
                                                                     "head",
                                                                     "how",
                                                                     "ino",
                                                                     "key",
                                                                     "last",
                                                                     "length",
                                                                     "linkpath",
                                                                     "mode",
                                                                     "mq_maxmsg",
                                                                     "mq_msgsize",
                                                                     "mqdes",
                                                                     "msg_len",
                                                                     "msg_prio",
                                                                     "msg_ptr",
                                                                     "msgflg",
                                                                     "msgp",
                                                                     "msgsz",
                                                                     "msgtyp",
                                                                     "msqid",
                                                                     "mtype",
                                                                     "name",
                                                                     "newattr",
                                                                     "newdirfd",
                                                                     "newfd",
                                                                     "newpath",
                                                                     "nsems",
                                                                     "nsops",
                                                                     "nstype",
                                                                     "offset",
                                                                     "oflag",
                                                                     "oldattr",
                                                                     "olddirfd",
                                                                     "oldfd",
                                                                     "oldpath",
                                                                     "operation",
                                                                     "option",
                                                                     "pathname",
                                                                     "pid",
                                                                     "pidfd",
                                                                     "pipe",
                                                                     "prot",
                                                                     "protocol",
                                                                     "read_fd",
                                                                     "received_mtype",
                                                                     "refused",
                                                                     "request",
                                                                     "semid",
                                                                     "semnum",
                                                                     "sevp",
                                                                     "shmaddr",
                                                                     "shmflg",
                                                                     "shmid",
                                                                     "sig",
                                                                     "signal",
                                                                     "size",
                                                                     "sockfd",
                                                                     "sops",
                                                                     "tail",
                                                                     "target",
                                                                     "targetfd",
                                                                     "temporary",
                                                                     "tgid",
                                                                     "tid",
                                                                     "type",
                                                                     "umask",
                                                                     "unreaped",
                                                                     "value",
                                                                     "where",
                                                                     "write_fd"});
static_assert(std::is_sorted(kValueNames.begin(), kValueNames.end()));
static_assert(kValueNames.size() < 256);

// Not constexpr: reaching it while compiling a ValueName fails the build, and the compiler's message
// names this function and the call site with the unknown name.
void unknown_event_value_name();

// One name of kValueNames.
class ValueName {
 public:
  consteval ValueName(const char* name) : index_(index_of(name)) {}  // NOLINT: implicit from a literal

  // A name read at run time (a trace file, a row's argument): nullopt when no event has it.
  static constexpr std::optional<ValueName> parse(std::string_view name) {
    const auto* it = std::lower_bound(kValueNames.begin(), kValueNames.end(), name);
    if (it == kValueNames.end() || *it != name) return std::nullopt;
    return ValueName(static_cast<std::uint8_t>(it - kValueNames.begin()));
  }

  constexpr std::string_view str() const { return kValueNames[index_]; }
  constexpr auto operator<=>(const ValueName&) const = default;

 private:
  constexpr explicit ValueName(std::uint8_t index) : index_(index) {}
  static consteval std::uint8_t index_of(std::string_view name) {
    const auto found = parse(name);
    if (!found) unknown_event_value_name();
    return found->index_;
  }
  std::uint8_t index_;
};

}  // namespace ipcgrade::trace
