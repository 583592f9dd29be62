#include "grader/trace/object_id.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace ipcgrade::trace {

std::string ObjectId::key() const {
  switch (kind) {
    case Kind::None:
      return {};
    case Kind::Msg:
      return fmt::format("msg:{}", number);
    case Kind::Shm:
      return fmt::format("shm:{}", number);
    case Kind::Sem:
      return fmt::format("sem:{}", number);
    case Kind::Pipe:
      return fmt::format("pipe:{}", number);
    case Kind::Fifo:
      return "fifo:" + name;
    case Kind::PosixMq:
      return "posix-mq:" + name;
    case Kind::PosixShm:
      return "posix-shm:" + name;
    case Kind::PosixSem:
      return "posix-sem:" + name;
  }
  return {};
}

ObjectId ObjectId::parse(std::string_view key) {
  const auto colon = key.find(':');
  if (colon == std::string_view::npos) return {};
  const std::string_view prefix = key.substr(0, colon);
  const std::string rest(key.substr(colon + 1));
  for (const Kind kind : {Kind::Msg, Kind::Shm, Kind::Sem, Kind::Pipe}) {
    if (ObjectId{kind, 0, {}}.key().starts_with(std::string(prefix) + ":")) {
      char* end = nullptr;
      const long number = std::strtol(rest.c_str(), &end, 10);
      return end && *end == '\0' && !rest.empty() ? ObjectId{kind, number, {}} : ObjectId{};
    }
  }
  for (const Kind kind : {Kind::Fifo, Kind::PosixMq, Kind::PosixShm, Kind::PosixSem}) {
    if (ObjectId{kind, 0, {}}.key() == std::string(prefix) + ":") return ObjectId{kind, 0, rest};
  }
  return {};
}

}  // namespace ipcgrade::trace
