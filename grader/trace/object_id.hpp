#pragma once
// What the chart draws a lifeline for and what a blocked call waits on: one IPC object, typed. Its
// key ("msg:3", "pipe:2", "posix-mq:/relay") is how the report and the pictures name it.
#include <cstdint>
#include <string>
#include <string_view>

namespace ipcgrade::trace {

struct ObjectId {
  enum class Kind : std::uint8_t {
    None,
    Msg,       // a System V queue, by its id
    Shm,       // a System V segment, by its id
    Sem,       // a System V semaphore set, by its id
    Pipe,      // a pipe or a FIFO, by the run's pipe number
    Fifo,      // a FIFO known only by the path a blocked open() gave (no pipe number yet)
    PosixMq,   // by its name
    PosixShm,  // by its name
    PosixSem,  // by its name
  };
  Kind kind = Kind::None;
  long number = 0;        // Msg, Shm, Sem, Pipe
  std::string name = {};  // Fifo (a path), PosixMq, PosixShm, PosixSem (a name)

  static ObjectId sysv(Kind kind, long id) { return {kind, id, {}}; }
  static ObjectId pipe(long number) { return {Kind::Pipe, number, {}}; }
  static ObjectId named(Kind kind, std::string name) { return {kind, 0, std::move(name)}; }

  bool empty() const { return kind == Kind::None; }
  std::string key() const;  // "msg:3", "pipe:2", "fifo:up.fifo", "posix-sem:/mutex"; "" for None
  // The id of a key; None for "" or a key of no kind (a report written by another version).
  static ObjectId parse(std::string_view key);
  auto operator<=>(const ObjectId&) const = default;
};

}  // namespace ipcgrade::trace
