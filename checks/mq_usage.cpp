// `mq-usage`: POSIX message queues used the way that cannot fail or leak. Every mq_receive passes a
// buffer of at least the queue's mq_msgsize (a smaller one fails with EMSGSIZE every time, whatever the
// message's length); every descriptor mq_open returns is closed with mq_close by the process that opened
// it before it ends; every queue the run creates is mq_unlinked (a queue lives in the kernel, and in
// /dev/mqueue, until it is). A queue created without attributes takes the kernel's defaults
// (fs.mqueue.msgsize_default: 8192 bytes).
#include <fcntl.h>

#include <fmt/format.h>

#include <map>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

constexpr long long kDefaultMsgsize = 8192;

enum class Aspect { ReceiveBuffer, Close, Unlink };

std::string name_of(const trace::Event& e) {
  const auto it = e.texts.find("name");
  return it == e.texts.end() ? std::string("(unknown)") : it->second;
}

class MqUsageCheck : public Check {
 public:
  bool receive_buffer = true, close = true, unlink = true, after_stop = false;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::vector<Aspect> aspects;
    for (const auto& scenario : input.scenarios) judge(input, scenario, v, aspects);
    conclude(v, passed_text(), aspects.empty() ? "" : advice(aspects.front()));
    return v;
  }

  std::vector<trace::IpcKind> removals() const override {
    if (!unlink) return {};
    return {trace::IpcKind::PosixMq};
  }
  bool only_removals() const override { return unlink && !receive_buffer && !close; }

 private:
  void judge(const CheckInput& input, const ScenarioView& scenario, Verdict& v,
             std::vector<Aspect>& aspects) const {
    std::map<std::string, long long> msgsize;              // by queue name, from the mq_open that made it
    std::map<std::string, const trace::Event*> created;    // queues made and not unlinked yet
    std::map<long, std::map<long long, std::string>> fds;  // pid -> descriptor -> queue name
    std::map<long, std::map<long long, const trace::Event*>> opened;  // pid -> descriptor -> its mq_open
    for (const auto& e : scenario.result->trace.events) {
      if (e.kind == trace::EventKind::Spawn && e.parent) {
        if (auto it = fds.find(e.parent); it != fds.end()) fds[e.pid] = it->second;  // fork copies them
        continue;
      }
      if (e.kind == trace::EventKind::Exec) {
        // Every queue descriptor is close-on-exec: the new program starts without them, closed by the
        // kernel as at an exit, but without the process ending: not judged.
        opened.erase(e.pid);
        fds.erase(e.pid);
        continue;
      }
      if (e.kind == trace::EventKind::Exit) {
        auto held = opened.find(e.pid);
        if (held != opened.end() && close && !killed(scenario, e)) {
          for (const auto& [fd, call] : held->second) {
            v.evidence.push_back(call_evidence(
                scenario, *call,
                fmt::format("descriptor {} of queue {} was never closed with mq_close before the process "
                            "ended",
                            fd, name_of(*call))));
            aspects.push_back(Aspect::Close);
          }
        }
        opened.erase(e.pid);
        fds.erase(e.pid);
        continue;
      }
      const bool receive = e.call == "mq_receive" || e.call == "mq_timedreceive";
      if (e.kind != trace::EventKind::Call || (e.failed() && !receive)) continue;  // a short buffer fails
      if (e.call == "mq_open" && e.result) {
        const std::string name = name_of(e);
        // The first open with O_CREAT made the queue, whichever process it was (an instructor's server
        // too): its attributes are the queue's, and only a student's creation is the student's to unlink.
        if ((e.value("oflag") & O_CREAT) && !msgsize.count(name)) {
          created[name] = selected_by(input, e) ? &e : nullptr;
          msgsize[name] = e.has("mq_msgsize") ? e.value("mq_msgsize") : kDefaultMsgsize;
        }
        fds[e.pid][*e.result] = name;
        if (selected_by(input, e)) opened[e.pid][*e.result] = &e;
      } else if (e.call == "mq_close") {
        fds[e.pid].erase(e.value("mqdes"));
        opened[e.pid].erase(e.value("mqdes"));
      } else if (e.call == "close_range") {  // closefrom(): the queue descriptors in the range too
        for (auto* table : {&opened[e.pid]})
          std::erase_if(*table, [&](const auto& kv) {
            return kv.first >= e.value("first") && kv.first <= e.value("last");
          });
        std::erase_if(fds[e.pid], [&](const auto& kv) {
          return kv.first >= e.value("first") && kv.first <= e.value("last");
        });
      } else if (e.call == "mq_unlink") {
        created.erase(name_of(e));
        msgsize.erase(name_of(e));
      } else if (receive && selected_by(input, e) && receive_buffer) {
        const auto fd = fds[e.pid].find(e.value("mqdes"));
        if (fd == fds[e.pid].end()) continue;
        const auto size = msgsize.find(fd->second);
        if (size == msgsize.end() || e.value("msg_len") >= size->second) continue;
        v.evidence.push_back(call_evidence(
            scenario, e,
            fmt::format("a {}-byte buffer for queue {}, whose mq_msgsize is {}: every receive fails with "
                        "EMSGSIZE, whatever the message's length",
                        e.value("msg_len"), fd->second, size->second)));
        aspects.push_back(Aspect::ReceiveBuffer);
      }
    }
    if (!unlink) return;
    for (const auto& [name, call] : created) {
      if (!call) continue;  // made by a program that is not the student's
      if (!after_stop && cleanup_cut_short(scenario, call->pid)) {
        v.notes.push_back(cut_short_note(scenario, "queue " + name));
        continue;
      }
      Evidence e = call_evidence(
          scenario, *call,
          fmt::format(
              "queue {} was never removed with mq_unlink: it stays in the kernel (and in /dev/mqueue), "
              "with any messages in it, after the programs end",
              name));
      e.fact = removal_fact(scenario.spec->name, trace::IpcKind::PosixMq, -1, name);
      if (charge(input, v, std::move(e), "queue " + name + " was never removed"))
        aspects.push_back(Aspect::Unlink);
    }
  }

  // A process the grader ended did not reach its end by itself: its descriptors are not judged.
  static bool killed(const ScenarioView& scenario, const trace::Event& exit) {
    for (const auto& p : scenario.result->processes) {
      if (p.pid == exit.pid && p.killed_by_grader) return true;
    }
    for (const auto& s : scenario.result->survivors) {
      if (s.pid == exit.pid) return true;
    }
    return exit.has("signal");
  }

  std::string passed_text() const {
    std::vector<std::string> parts;
    if (receive_buffer) parts.push_back("every mq_receive had a buffer of the queue's mq_msgsize");
    if (close) parts.push_back("every queue descriptor was closed");
    if (unlink) parts.push_back("every queue was unlinked");
    return sentence(parts);
  }
  static std::string advice(Aspect a) {
    switch (a) {
      case Aspect::ReceiveBuffer:
        return "Read the queue's attributes with mq_getattr(q, &attr) and receive into a buffer of "
               "attr.mq_msgsize bytes";
      case Aspect::Close:
        return "Close each queue descriptor with mq_close(q) when the process is done with it";
      case Aspect::Unlink:
        return "Remove the queue with mq_unlink(name) once both sides are done with it";
    }
    return "";
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"receive_buffer", "close", "unlink", "per_violation", "judge_after_stop"});
  auto check = std::make_unique<MqUsageCheck>();
  check->after_stop = judge_after_stop(params);
  if (params.has("receive_buffer")) check->receive_buffer = params.boolean("receive_buffer");
  if (params.has("close")) check->close = params.boolean("close");
  if (params.has("unlink")) check->unlink = params.boolean("unlink");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kMqUsageCheck{
    "mq-usage",
    &make,
    {"mq_open", "mq_close", "mq_unlink", "mq_receive", "mq_timedreceive", "close_range"},
    {"mq_open"},
    "a POSIX message queue"};

}  // namespace ipcgrade::checks
