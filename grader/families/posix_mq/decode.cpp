// POSIX message queues: mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr.
// A queue's descriptor is a number the checks follow from mq_open's result; its name is the student's,
// with the leading '/' that glibc strips before the system call.
#include <mqueue.h>

#include "grader/families/family.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::families {

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
    if (const auto mask = ctx.memory.umask()) e.values["umask"] = *mask;
    // Whether the queue was there before: an open with O_CREAT of an existing queue made nothing.
    if (!(as_int(a[1]) & O_EXCL)) e.values["existed"] = ctx.memory.queue_exists(e.texts["name"]) ? 1 : 0;
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
// The queue's descriptor (the kernel makes every one close-on-exec): its close is mq_close. The name
// the kernel opened, whatever the memory holds now, and the queue's identity: what the end of a
// tracked run checks before it removes anything.
void mq_open_exit(DecodeContext& ctx, const Registers&, long rval, trace::Event& e) {
  const int fd = static_cast<int>(rval);
  const std::string asked = e.texts["name"];
  if (const std::string opened = ctx.memory.fd_path(fd); opened.size() > 1 && opened[0] == '/')
    e.texts["name"] = util::escape_controls(opened);
  if (const auto file = ctx.memory.file_of(fd)) {
    e.values["dev"] = static_cast<long long>(file->dev);
    e.values["ino"] = static_cast<long long>(file->ino);
  }
  const auto oflag = e.value("oflag");
  const bool made =
      (oflag & O_CREAT) && ((oflag & O_EXCL) || (e.value("existed") == 0 && e.texts["name"] == asked));
  e.values.erase("existed");
  if (made) e.values["created"] = 1;
  ctx.fds[fd] = {.cloexec = true, .kind = Opened::Queue, .name = e.texts["name"]};
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

std::span<const Decoder> posix_mq::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
