#pragma once
// What the sequence chart offers a family that draws its calls (grader/report/sequence.cpp implements
// it): lifelines of IPC objects, arrows between a process and an object, attachments drawn as bars,
// and what a later call needs to find its object (an address, a descriptor, a FIFO's path).
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "grader/trace/object_id.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::families {

class Chart {
 public:
  virtual ~Chart() = default;
  // Whether the object has had a lifeline (made earlier, even if removed since).
  virtual bool known(const trace::ObjectId& id) const = 0;
  // The object's lifeline, made on first sight: its title and the line under it.
  virtual void object(const trace::ObjectId& id, const std::string& title, const std::string& sub) = 0;
  // An arrow from the event's process to the object, or from the object to the process.
  virtual void to_object(const trace::Event& e, const trace::ObjectId& id, std::string label) = 0;
  virtual void to_process(const trace::Event& e, const trace::ObjectId& id, std::string label) = 0;
  // The object's lifeline ends: removed.
  virtual void removed(const trace::ObjectId& id) = 0;
  // An attachment of the object at `address` (shmat, mmap), drawn from the latest arrow until its
  // detach (or the process's exec or end); a fork copies it.
  virtual void attach(long pid, long long address, const trace::ObjectId& id) = 0;
  virtual std::optional<trace::ObjectId> attached(long pid, long long address) const = 0;
  virtual void detach(long pid, long long address) = 0;
  // The object a POSIX descriptor refers to (mq_open, shm_open).
  virtual void descriptor(long pid, long fd, const trace::ObjectId& id) = 0;
  virtual std::optional<trace::ObjectId> descriptor_of(long pid, long fd) const = 0;
  // A FIFO's path as the program wrote it: how a blocked open() and a leftover name its lifeline.
  virtual void fifo_path(const std::string& path, const trace::ObjectId& id) = 0;
};

// The System V families draw their objects alike: a lifeline titled by the key from the get that made
// it ("queue 0x00001234"), or by its noun and id when the trace has no get; control commands as
// arrows, IPC_RMID ending the lifeline (chart.cpp).
void draw_sysv_get(const trace::Event& e, Chart& chart, trace::ObjectId::Kind kind, std::string_view noun);
trace::ObjectId sysv_object(const trace::Event& e, Chart& chart, trace::ObjectId::Kind kind,
                            std::string_view noun, trace::ValueName id_arg);
void draw_sysv_ctl(const trace::Event& e, Chart& chart, trace::ObjectId::Kind kind, std::string_view noun,
                   trace::ValueName id_arg);

// "80 B"
inline std::string bytes(long long n) {
  return fmt::format("{} B", n);
}

// A text value of the event ("" when it has none).
inline std::string text_of(const trace::Event& e, trace::ValueName name) {
  const auto it = e.texts.find(name);
  return it == e.texts.end() ? std::string() : it->second;
}

}  // namespace ipcgrade::families
