// Who made a leftover: the process and the call, from the trace.
#include "grader/runner/attribute_leftovers.hpp"

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/syscall.h>

#include <algorithm>
#include <map>
#include <set>

#include "grader/trace/calls.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::runner {

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
void attribute_by_name(run::Leftover& left, const TraceIndex& index, std::string_view open,
                       std::string_view unlink) {
  std::uint64_t from = 0;
  for (const trace::Event* e : index.named(unlink, left.name)) from = std::max(from, e->seq);
  left.opened_by.clear();
  for (const trace::Event* e : index.named(open, left.name)) {
    if (e->seq > from) credit(left, *e, (e->value("oflag") & O_CREAT) != 0);
  }
}

}  // namespace

// Names the process and the call that created a leftover: the first successful msgget/shmget/semget
// with IPC_CREAT that returned its id since the last IPC_RMID of that id (the kernel's shm_cpid agrees
// for segments). A sender and a receiver that both pass IPC_CREAT both get the id back; only the first
// made the object, and the others are named as having opened it too.
TraceIndex::TraceIndex(const trace::Trace& trace) {
  for (const auto& e : trace.events) {
    if (e.kind != trace::EventKind::Call) continue;
    if (e.result && !e.failed()) by_value_[{e.call, "", *e.result}].push_back(&e);
    static constexpr trace::ValueName kIds[] = {"msqid", "shmid", "semid", "fifo"};
    for (const trace::ValueName arg : kIds) {
      const auto it = e.values.find(arg);
      if (it != e.values.end()) by_value_[{e.call, arg.str(), static_cast<long>(it->second)}].push_back(&e);
    }
    const auto name = e.texts.find("name");
    if (name != e.texts.end() && !e.failed()) by_name_[{e.call, name->second}].push_back(&e);
  }
}

const TraceIndex::Events& TraceIndex::returned(std::string_view call, long result) const {
  return with(call, "", result);
}

const TraceIndex::Events& TraceIndex::with(std::string_view call, std::string_view arg, long value) const {
  static const Events none;
  const auto it = by_value_.find({std::string(call), arg, value});
  return it == by_value_.end() ? none : it->second;
}

const TraceIndex::Events& TraceIndex::named(std::string_view call, const std::string& name) const {
  static const Events none;
  const auto it = by_name_.find({std::string(call), name});
  return it == by_name_.end() ? none : it->second;
}

void attribute_leftover(run::Leftover& left, const TraceIndex& index) {
  if (const trace::CallRow* unlink = trace::removing_call(left.kind);
      unlink && left.kind != trace::IpcKind::Fifo)
    return attribute_by_name(left, index, trace::creating_call(left.kind)->name, unlink->name);
  const trace::CallRow* get_row = trace::creating_call(left.kind);
  const trace::CallRow* ctl_row = trace::control_call(left.kind);
  if (!get_row || !ctl_row) return;
  const std::string get(get_row->name), ctl(ctl_row->name), id_arg(ctl_row->args.front().name.str());
  std::uint64_t from = 0;
  for (const trace::Event* e : index.with(ctl, id_arg, left.id)) {
    if (e->has("cmd") && e->value("cmd") == IPC_RMID) from = std::max(from, e->seq);
  }
  left.creator_pid = 0;  // not seen created: the kernel's pid (shm) would mean nothing to the student
  left.opened_by.clear();
  for (const trace::Event* e : index.returned(get, left.id)) {
    // IPC_PRIVATE makes a new object with or without IPC_CREAT: its caller is the creator all the same.
    const bool creating =
        (e->value("flags") & IPC_CREAT) != 0 || (e->has("key") && e->value("key") == IPC_PRIVATE);
    if (e->seq > from) credit(left, *e, creating);
  }
  std::erase(left.opened_by, left.creator);  // a creator that opened it again is not listed twice
}

std::vector<run::Leftover> fifos_left(const trace::Trace& trace, const TraceIndex& index) {
  // mkfifo, unlink and open, as the call table names them.
  const std::string_view made_by = trace::creating_call(trace::IpcKind::Fifo)->name;
  const std::string_view removed_by = trace::removing_call(trace::IpcKind::Fifo)->name;
  const std::string_view opened_by = trace::call_row(SYS_open)->name;
  std::map<long, const trace::Event*> made;  // by the FIFO's number
  for (const auto& e : trace.events) {
    if (e.failed() || !e.has("fifo")) continue;
    if (e.is_call(made_by)) made[e.value("fifo")] = &e;
    if (e.is_call(removed_by)) made.erase(e.value("fifo"));
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
    for (const trace::Event* opened : index.with(opened_by, "fifo", fifo)) {
      if (!opened->failed()) credit(left, *opened, false);
    }
    out.push_back(std::move(left));
  }
  return out;
}

std::vector<run::Leftover> posix_objects_left(const trace::Trace& trace, const TraceIndex& index) {
  struct Kind {
    trace::IpcKind kind;
    std::string_view open, unlink;
  };
  std::vector<Kind> kinds;
  for (const auto kind : {trace::IpcKind::PosixMq, trace::IpcKind::PosixShm, trace::IpcKind::PosixSem})
    kinds.push_back({kind, trace::creating_call(kind)->name, trace::removing_call(kind)->name});
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
      attribute_leftover(left, index);
      out.push_back(std::move(left));
    }
  }
  return out;
}

}  // namespace ipcgrade::runner
