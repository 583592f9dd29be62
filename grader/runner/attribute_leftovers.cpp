// Who made a leftover: the process and the call, from the trace.
#include "grader/runner/attribute_leftovers.hpp"

#include <fcntl.h>
#include <sys/ipc.h>

#include <algorithm>
#include <map>
#include <set>

#include "grader/trace/calls.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::run {

namespace {

// Names the caller of `opened` as the leftover's creator, when it asked to create and none is named
// yet, or as one more process that opened it.
void credit(run::Leftover& left, const trace::Event& opened, bool creating) {
  const std::string who = util::process_label(opened.process, opened.pid);
  if (std::find(left.holders.begin(), left.holders.end(), opened.pid) == left.holders.end())
    left.holders.push_back(opened.pid);
  if (left.creator.empty() && creating) {
    left.creator_pid = opened.pid;
    left.creator = who;
    left.creator_process = opened.process;
    left.call = trace::format_call(opened);
    left.at = opened.at;
  } else if (who != left.creator &&
             std::find(left.opened_by.begin(), left.opened_by.end(), who) == left.opened_by.end()) {
    left.opened_by.push_back(who);
  }
}

// A POSIX object, by its name: the first open with O_CREAT that succeeded since the name's last unlink
// made it; later opens are named as having opened it too.
void attribute_by_name(run::Leftover& left, const trace::Trace& trace, std::string_view open,
                       std::string_view unlink) {
  const auto& events = trace.events;
  const auto named = [&](const trace::Event& e) {
    const auto it = e.texts.find("name");
    return it != e.texts.end() && it->second == left.name;
  };
  auto from = events.begin();
  for (auto it = events.begin(); it != events.end(); ++it) {
    if (it->is_call(unlink) && !it->failed() && named(*it)) from = it + 1;
  }
  left.opened_by.clear();
  for (auto it = from; it != events.end(); ++it) {
    if (!it->is_call(open) || it->failed() || !named(*it)) continue;
    credit(left, *it, (it->value("oflag") & O_CREAT) != 0);
  }
}

}  // namespace

// Names the process and the call that created a leftover: the first successful msgget/shmget/semget
// with IPC_CREAT that returned its id since the last IPC_RMID of that id (the kernel's shm_cpid agrees
// for segments). A sender and a receiver that both pass IPC_CREAT both get the id back; only the first
// made the object, and the others are named as having opened it too.
void attribute_leftover(run::Leftover& left, const trace::Trace& trace) {
  if (left.kind == trace::IpcKind::PosixMq) return attribute_by_name(left, trace, "mq_open", "mq_unlink");
  if (left.kind == trace::IpcKind::PosixShm) return attribute_by_name(left, trace, "shm_open", "shm_unlink");
  if (left.kind == trace::IpcKind::PosixSem) return attribute_by_name(left, trace, "sem_open", "sem_unlink");
  const trace::CallRow* get_row = trace::creating_call(left.kind);
  const trace::CallRow* ctl_row = trace::control_call(left.kind);
  if (!get_row || !ctl_row) return;
  const std::string get(get_row->name), ctl(ctl_row->name), id_arg(ctl_row->args.front().name);
  const auto& events = trace.events;
  auto from = events.begin();
  for (auto it = events.begin(); it != events.end(); ++it) {
    if (it->is_call(ctl) && it->has("cmd") && it->value("cmd") == IPC_RMID && it->value(id_arg) == left.id)
      from = it + 1;
  }
  left.creator_pid = 0;  // not seen created: the kernel's pid (shm) would mean nothing to the student
  left.opened_by.clear();
  for (auto it = from; it != events.end(); ++it) {
    if (!it->is_call(get) || !it->result || *it->result != left.id) continue;
    credit(left, *it, (it->value("flags") & IPC_CREAT) != 0);
  }
  std::erase(left.opened_by, left.creator);  // a creator that opened it again is not listed twice
}

std::vector<run::Leftover> fifos_left(const trace::Trace& trace) {
  std::map<long, const trace::Event*> made;  // by the FIFO's number
  for (const auto& e : trace.events) {
    if (e.failed() || !e.has("fifo")) continue;
    if (e.is_call("mkfifo")) made[e.value("fifo")] = &e;
    if (e.is_call("unlink")) made.erase(e.value("fifo"));
  }
  std::vector<run::Leftover> out;
  for (const auto& [fifo, e] : made) {
    run::Leftover left;
    left.kind = trace::IpcKind::Fifo;
    left.id = -1;
    const auto path = e->texts.find("pathname");
    left.name = path == e->texts.end() ? std::string() : path->second;
    const auto where = e->texts.find("where");  // where it really is, resolved while its maker lived
    if (where != e->texts.end()) left.path = where->second;
    left.file_dev = static_cast<std::uint64_t>(e->value("dev"));
    left.file_ino = static_cast<std::uint64_t>(e->value("ino"));
    left.mode = static_cast<unsigned>(e->value("mode"));
    credit(left, *e, true);
    for (const auto& opened : trace.events) {
      if (opened.is_call("open") && !opened.failed() && opened.value("fifo") == fifo)
        credit(left, opened, false);
    }
    out.push_back(std::move(left));
  }
  return out;
}

std::vector<run::Leftover> posix_objects_left(const trace::Trace& trace) {
  struct Kind {
    trace::IpcKind kind;
    std::string_view open, unlink;
  };
  constexpr Kind kinds[] = {{trace::IpcKind::PosixMq, "mq_open", "mq_unlink"},
                            {trace::IpcKind::PosixShm, "shm_open", "shm_unlink"},
                            {trace::IpcKind::PosixSem, "sem_open", "sem_unlink"}};
  std::vector<run::Leftover> out;
  for (const auto& k : kinds) {
    // Only what an open certainly made (O_EXCL, a name that was not there before, a semaphore's link):
    // an open with O_CREAT of an object that existed made nothing, and is never the run's to remove.
    std::map<std::string, const trace::Event*> made;
    for (const auto& e : trace.events) {
      const auto name = e.texts.find("name");
      if (e.failed() || name == e.texts.end()) continue;
      if (e.is_call(k.open) && e.value("created")) made[name->second] = &e;
      if (e.is_call(k.unlink)) made.erase(name->second);
    }
    for (const auto& [name, e] : made) {
      run::Leftover left;
      left.kind = k.kind;
      left.name = name;
      left.id = -1;
      left.file_dev = static_cast<std::uint64_t>(e->value("dev"));
      left.file_ino = static_cast<std::uint64_t>(e->value("ino"));
      attribute_leftover(left, trace);
      out.push_back(std::move(left));
    }
  }
  return out;
}

}  // namespace ipcgrade::run
