// POSIX message queues: mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr.
// A queue's descriptor is a number the checks follow from mq_open's result; its name is the student's,
// with the leading '/' that glibc strips before the system call.
#include <mqueue.h>

#include "grader/supervise/decoders.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::supervise {

namespace {

// A queue name as the program passed it to the kernel: at most NAME_MAX bytes, up to its NUL.
std::string queue_name(const DecodeContext& ctx, std::uint64_t address) {
  std::string name = ctx.memory.read(address, 256);
  name = name.substr(0, name.find('\0'));
  return "/" + util::escape_controls(name);
}

bool mq_open_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.texts["name"] = queue_name(ctx, a[0]);
  e.values = {{"oflag", as_int(a[1])}};
  if (as_int(a[1]) & O_CREAT) {
    e.values["mode"] = a[2] & 0777;
    // Without attributes the queue takes the system's defaults (fs.mqueue.msg_default, msgsize_default).
    if (a[3]) {
      if (auto attr = ctx.memory.value<mq_attr>(a[3])) {
        e.values["mq_maxmsg"] = attr->mq_maxmsg;
        e.values["mq_msgsize"] = attr->mq_msgsize;
      }
    }
  }
  return true;
}
// The queue's descriptor: its close is mq_close.
void mq_open_exit(DecodeContext& ctx, const Registers& a, long rval, trace::Event& e) {
  ctx.fds[static_cast<int>(rval)] = {
      .cloexec = (a[1] & O_CLOEXEC) != 0, .kind = Opened::Queue, .name = e.texts["name"]};
}

bool mq_unlink_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.texts["name"] = queue_name(ctx, a[0]);
  return false;
}

// glibc's mq_send and mq_receive are the timed calls without a timeout: named as the student wrote them.
bool mq_io_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"mqdes", as_int(a[0])}, {"msg_len", static_cast<long long>(a[2])}};
  const bool sending = e.call == "mq_timedsend";
  if (sending) e.values["msg_prio"] = static_cast<long long>(a[3]);
  if (a[4] == 0) e.call = sending ? "mq_send" : "mq_receive";
  return true;  // a send's exit is not waited for (Exit::Never): the table decides
}

bool mqdes_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"mqdes", as_int(a[0])}};
  return false;
}

constexpr Decoder kDecoders[] = {
    {"mq_open", mq_open_entry, mq_open_exit}, {"mq_unlink", mq_unlink_entry}, {"mq_timedsend", mq_io_entry},
    {"mq_timedreceive", mq_io_entry},         {"mq_notify", mqdes_entry},     {"mq_getsetattr", mqdes_entry},
};

}  // namespace

std::span<const Decoder> mq_decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::supervise
