// How the sequence chart draws what the files family records: FIFOs (made, opened, unlinked; their
// reads and writes are the pipes'), POSIX shared memory (its mappings as bars on the process's lifeline)
// and POSIX named semaphores.
#include <fcntl.h>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::families::files {

namespace {

using K = trace::ObjectId::Kind;

// The kind of POSIX object a call names by its prefix: shm_open, sem_unlink.
K posix_kind(const std::string& call) {
  return call.rfind("shm_", 0) == 0 ? K::PosixShm : K::PosixSem;
}

}  // namespace

void draw(const trace::Event& e, Chart& chart) {
  const std::string& c = e.call;
  if (c == "mkfifo") {
    if (e.failed() || !e.has("fifo")) return;
    const auto id = trace::ObjectId::pipe(e.value("fifo"));
    chart.object(id, "FIFO " + text_of(e, "pathname"), "FIFO");
    chart.fifo_path(text_of(e, "pathname"), id);
    chart.to_object(e, id, "mkfifo");
  } else if (c == "open") {
    if (!e.has("fifo")) return;
    const auto id = trace::ObjectId::pipe(e.value("fifo"));
    chart.object(id, "FIFO " + text_of(e, "pathname"), "FIFO");
    chart.to_object(e, id,
                    "open " + trace::spell(trace::Spelling::MqOpenFlags, e.value("flags") & O_ACCMODE));
  } else if (c == "unlink") {
    if (!e.has("fifo")) return;
    const auto id = trace::ObjectId::pipe(e.value("fifo"));
    if (!chart.known(id)) return;
    chart.to_object(e, id, "unlink");
    if (!e.failed()) chart.removed(id);
  } else if (c == "shm_open" || c == "sem_open") {
    if (e.failed()) return;
    const std::string name = text_of(e, "name");
    const auto id = trace::ObjectId::named(posix_kind(c), name);
    const bool creating = (e.value("oflag") & O_CREAT) != 0 && !chart.known(id);
    chart.object(id, name, c == "shm_open" ? "POSIX shared memory" : "POSIX semaphore");
    if (e.result && c == "shm_open") chart.descriptor(e.pid, *e.result, id);
    chart.to_object(e, id, creating ? c + " (create)" : c);
  } else if (c == "ftruncate" || c == "mmap" || c == "munmap") {
    const auto id = trace::ObjectId::named(K::PosixShm, text_of(e, "name"));
    if (!chart.known(id)) return;
    chart.to_object(e, id,
                    c == "ftruncate" ? fmt::format("ftruncate {}", bytes(e.value("length")))
                    : c == "mmap"    ? "map"
                                     : "unmap");
    if (c == "mmap" && e.has("address")) chart.attach(e.pid, e.value("address"), id);
    if (c == "munmap") chart.detach(e.pid, e.value("addr"));
  } else if (c == "shm_unlink" || c == "sem_unlink") {
    const auto id = trace::ObjectId::named(posix_kind(c), text_of(e, "name"));
    if (!chart.known(id)) return;
    chart.to_object(e, id, c);
    if (!e.failed()) chart.removed(id);
  }
}

}  // namespace ipcgrade::families::files
