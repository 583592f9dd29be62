// The sequence chart's model, from a scenario's trace: which lifelines exist, which calls go between
// them, how each ends, and what a deadlock stopped.
#include "grader/report/sequence.hpp"

#include <fcntl.h>
#include <sys/ipc.h>

#include <csignal>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "grader/report/render.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/sem_holds.hpp"
#include "grader/trace/spelling.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

namespace {

std::string bytes(long long n) {
  return fmt::format("{} B", n);
}

std::string text_of(const trace::Event& e, const std::string& name) {
  const auto it = e.texts.find(name);
  return it == e.texts.end() ? std::string() : it->second;
}

std::string process_id(long pid) {
  return fmt::format("p{}", pid);
}

// The semaphore operations as P and V: "P(0)", "V(2)", "wait-zero(1)".
std::string sem_label(const trace::Event& e) {
  std::string out;
  for (const auto& op : e.sem_ops) {
    const std::string one = op.op < 0   ? fmt::format("P({})", op.num)
                            : op.op > 0 ? fmt::format("V({})", op.num)
                                        : fmt::format("zero?({})", op.num);
    out += (out.empty() ? "" : " ") + one;
  }
  return out.empty() ? "semop" : out;
}

class Builder {
 public:
  Builder(const run::ScenarioResult& s, const std::vector<CheckResult>& checks) : s_(s) {
    for (const auto& c : checks) {
      if (c.status != checks::Status::Failed) continue;
      for (const auto& e : c.evidence) {
        if (e.scenario == s.name && !e.call.empty()) wrong_[{e.pid, e.call}] = c.name + ": " + e.detail;
        // The same fault elsewhere, grouped under this piece: its calls are as wrong.
        for (const auto& p : e.also) {
          if (p.scenario == s.name && !p.call.empty())
            wrong_.try_emplace({p.pid, p.call}, c.name + ": " + e.detail);
        }
      }
    }
  }

  Sequence build() {
    seq_.scenario = s_.name;
    seq_.outcome = run::to_string(s_.outcome);
    seq_.explanation = s_.outcome_detail;
    for (const auto& p : s_.processes) {
      if (p.started && p.pid && seq_.lines.size() < kMaxLines) process(p.pid, p.name);
    }
    for (const auto& e : s_.trace.events) {
      if (seq_.arrows.size() >= kMaxArrows || seq_.lines.size() >= kMaxLines) {
        ++seq_.not_drawn;
        continue;
      }
      event(e);
    }
    finish();
    return std::move(seq_);
  }

 private:
  // The lifeline of process `pid`, made on first sight.
  Lifeline& process(long pid, const std::string& name) {
    const std::string id = process_id(pid);
    auto it = index_.find(id);
    if (it != index_.end()) return seq_.lines[it->second];
    Lifeline l;
    l.kind = Lifeline::Kind::Process;
    l.id = id;
    l.title = name;
    l.sub = fmt::format("pid {}", pid);
    l.first = seq_.arrows.size();
    index_[id] = seq_.lines.size();
    seq_.lines.push_back(l);
    return seq_.lines.back();
  }

  // The lifeline of an IPC object, made on first sight (by its creating call, or a use of one made
  // before the trace began).
  Lifeline& object(const std::string& id, const std::string& title, const std::string& sub) {
    auto it = index_.find(id);
    if (it != index_.end() && !seq_.lines[it->second].ended) return seq_.lines[it->second];
    Lifeline l;
    l.kind = Lifeline::Kind::Object;
    l.id = it == index_.end() ? id : fmt::format("{}#{}", id, ++reuse_[id]);  // an id reused after removal
    l.title = title;
    l.sub = sub;
    l.first = seq_.arrows.size();
    index_[id] = seq_.lines.size();
    seq_.lines.push_back(l);
    return seq_.lines.back();
  }

  // The lifeline a key names now: an object id reused after its removal is a lifeline of its own.
  std::string line_of(const std::string& key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? key : seq_.lines[it->second].id;
  }

  void arrow(const trace::Event& e, const std::string& from, const std::string& to, std::string label) {
    Arrow a;
    a.from = line_of(from);
    a.to = line_of(to);
    a.label = std::move(label);
    a.repeat = e.repeat;
    a.call = trace::format_call(e);
    a.at = e.at;
    a.process = util::process_label(e.process, e.pid);
    if (auto w = wrong_.find({e.pid, a.call}); w != wrong_.end()) {
      a.wrong = true;
      a.wrong_why = w->second;
    }
    seq_.arrows.push_back(std::move(a));
  }

  void remove(const std::string& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    Lifeline& l = seq_.lines[it->second];
    l.ended = true;
    l.end = "removed";
    l.last = seq_.arrows.size();
  }

  // The id and title of a System V object by its family and id.
  static std::string sysv_id(std::string_view family, long id) { return fmt::format("{}:{}", family, id); }

  void event(const trace::Event& e) {
    if (e.kind == trace::EventKind::Spawn) {
      Lifeline& child = process(e.pid, e.process);
      if (e.parent) {
        Arrow a;
        a.kind = Arrow::Kind::Fork;
        a.from = line_of(process_id(e.parent));
        a.to = child.id;
        a.label = "fork";
        a.process = util::process_label(e.process, e.parent);
        child.first = seq_.arrows.size();
        seq_.arrows.push_back(std::move(a));
        // fork copies every attachment: the child's shmdt of an inherited address detaches the segment.
        std::vector<std::pair<long long, std::string>> inherited;
        for (const auto& [key, segment] : attached_) {
          if (key.first == e.parent) inherited.emplace_back(key.second, segment);
        }
        for (const auto& [address, segment] : inherited) {
          attached_[{e.pid, address}] = segment;
          open_span(e.pid, address, segment, seq_.arrows.size() - 1);
        }
      }
      return;
    }
    if (e.kind == trace::EventKind::Exec) close_spans(e.pid, std::nullopt);  // exec detaches everything
    if (e.kind == trace::EventKind::Exit) {
      close_spans(e.pid, std::nullopt);
      Lifeline& p = process(e.pid, e.process);
      p.ended = true;
      p.last = seq_.arrows.size();
      if (const auto crash = run::crash_of(e)) {
        // The lifeline ends where the program crashed: the signal and the line.
        p.end =
            "crashed: " + util::signal_name(crash->signal) + (crash->at.empty() ? "" : " at " + crash->at);
      } else if (e.has("signal")) {
        p.end = "killed by " + util::signal_name(static_cast<int>(e.value("signal")));
      } else {
        p.end = fmt::format("exit {}", e.value("code"));
      }
      return;
    }
    if (e.kind != trace::EventKind::Call || !e.judged) return;
    const std::string me = process(e.pid, e.process).id;
    const std::string& c = e.call;
    if (c == "msgget" || c == "shmget" || c == "semget") {
      if (e.failed() || !e.result) return;
      const std::string family = c.substr(0, 3);
      const std::string noun = family == "msg" ? "queue" : family == "shm" ? "segment" : "semaphore set";
      const std::string id = sysv_id(family, *e.result);
      const bool creating = (e.value("flags") & IPC_CREAT) != 0 && !index_.count(id);
      object(id, fmt::format("{} {}", noun, trace::key_name(e.value("key"))),
             fmt::format("id {}", *e.result));
      arrow(e, me, id, creating ? c + " (create)" : c);
    } else if (c == "msgsnd") {
      const std::string id = sysv_id("msg", e.value("msqid"));
      object(id, "queue", fmt::format("id {}", e.value("msqid")));
      arrow(e, me, id, fmt::format("mtype={}, {}", e.value("mtype"), bytes(e.value("msgsz"))));
    } else if (c == "msgrcv") {
      const std::string id = sysv_id("msg", e.value("msqid"));
      object(id, "queue", fmt::format("id {}", e.value("msqid")));
      const std::string got =
          e.failed() ? std::string(strerrorname_np(e.error) ? strerrorname_np(e.error) : "error")
          : e.has("received_mtype")
              ? fmt::format("mtype={}, {}", e.value("received_mtype"), bytes(e.result.value_or(0)))
              : bytes(e.result.value_or(0));
      arrow(e, id, me, fmt::format("msgrcv(msgtyp={}) → {}", e.value("msgtyp"), got));
    } else if (c == "msgctl" || c == "shmctl" || c == "semctl") {
      const std::string family = c.substr(0, 3);
      const std::string arg = family == "msg" ? "msqid" : family == "shm" ? "shmid" : "semid";
      const std::string id = sysv_id(family, e.value(arg));
      const auto cmd = e.value("cmd");
      const std::string label = trace::spell(trace::spelling_of(c, "cmd"), cmd);
      object(id,
             family == "msg"   ? "queue"
             : family == "shm" ? "segment"
                               : "semaphore set",
             fmt::format("id {}", e.value(arg)));
      arrow(e, me, id, label);
      if (cmd == IPC_RMID && !e.failed()) remove(id);
    } else if (c == "shmat") {
      const std::string id = sysv_id("shm", e.value("shmid"));
      object(id, "segment", fmt::format("id {}", e.value("shmid")));
      arrow(e, me, id, "attach");
    } else if (c == "shmdt") {
      // The segment of the address: the attach that returned it.
      const auto it = attached_.find({e.pid, e.value("shmaddr")});
      if (it != attached_.end()) {
        arrow(e, me, it->second, "detach");
        close_spans(e.pid, e.value("shmaddr"));
      }
    } else if (c == "semop" || c == "semtimedop") {
      const std::string id = sysv_id("sem", e.value("semid"));
      object(id, "semaphore set", fmt::format("id {}", e.value("semid")));
      arrow(e, me, id, sem_label(e));
    } else if (c == "pipe" || c == "pipe2") {
      if (!e.has("pipe")) return;
      const std::string id = fmt::format("pipe:{}", e.value("pipe"));
      object(id, fmt::format("pipe {}", e.value("pipe")),
             fmt::format("fds {}, {}", e.value("read_fd"), e.value("write_fd")));
      arrow(e, me, id, c);
    } else if (c == "mkfifo") {
      if (e.failed() || !e.has("fifo")) return;
      const std::string id = fmt::format("pipe:{}", e.value("fifo"));
      object(id, "FIFO " + text_of(e, "pathname"), "FIFO");
      fifo_paths_[text_of(e, "pathname")] = id;
      arrow(e, me, id, "mkfifo");
    } else if (c == "open") {
      if (!e.has("fifo")) return;
      const std::string id = fmt::format("pipe:{}", e.value("fifo"));
      object(id, "FIFO " + text_of(e, "pathname"), "FIFO");
      arrow(e, me, id, "open " + trace::spell(trace::Spelling::MqOpenFlags, e.value("flags") & O_ACCMODE));
    } else if (c == "unlink") {
      if (!e.has("fifo")) return;
      const std::string id = fmt::format("pipe:{}", e.value("fifo"));
      if (!index_.count(id)) return;
      arrow(e, me, id, "unlink");
      if (!e.failed()) remove(id);
    } else if (c == "read" || c == "write") {
      if (!e.has("pipe")) return;
      const std::string id = fmt::format("pipe:{}", e.value("pipe"));
      const std::string fifo = text_of(e, "fifo");
      object(id, fifo.empty() ? fmt::format("pipe {}", e.value("pipe")) : "FIFO " + fifo,
             fifo.empty() ? "" : "FIFO");
      if (c == "write") {
        arrow(e, me, id, fmt::format("write {}", bytes(e.value("count"))));
      } else {
        arrow(e, id, me,
              e.failed() ? "read failed"
              : e.result ? fmt::format("read {}", bytes(*e.result))
                         : fmt::format("read (up to {})", bytes(e.value("count"))));
      }
    } else if (c == "close") {
      if (!e.has("pipe")) return;
      const std::string id = fmt::format("pipe:{}", e.value("pipe"));
      if (!index_.count(id)) return;
      arrow(e, me, id,
            e.value("end") == 1   ? "close write end"
            : e.value("end") == 2 ? "close"
                                  : "close read end");
    } else if (c == "mq_open" || c == "shm_open" || c == "sem_open") {
      if (e.failed()) return;
      const std::string kind = c == "mq_open" ? "posix-mq" : c == "shm_open" ? "posix-shm" : "posix-sem";
      const std::string name = text_of(e, "name");
      const std::string id = kind + ":" + name;
      const bool creating = (e.value("oflag") & O_CREAT) != 0 && !index_.count(id);
      object(id, name,
             c == "mq_open"    ? "POSIX queue"
             : c == "shm_open" ? "POSIX shared memory"
                               : "POSIX semaphore");
      if (e.result && c != "sem_open") descriptors_[{e.pid, *e.result}] = id;
      arrow(e, me, id, creating ? c + " (create)" : c);
    } else if (c == "mq_send" || c == "mq_timedsend" || c == "mq_receive" || c == "mq_timedreceive" ||
               c == "mq_close") {
      const auto it = descriptors_.find({e.pid, e.value("mqdes")});
      const std::string id = it != descriptors_.end() ? it->second : "posix-mq:" + text_of(e, "name");
      if (!index_.count(id)) object(id, text_of(e, "name"), "POSIX queue");
      if (c == "mq_close") {
        arrow(e, me, id, "mq_close");
      } else if (c == "mq_send" || c == "mq_timedsend") {
        arrow(e, me, id, fmt::format("{} {}", c, bytes(e.value("msg_len"))));
      } else {
        arrow(e, id, me,
              e.failed()
                  ? fmt::format("{} → {}", c, strerrorname_np(e.error) ? strerrorname_np(e.error) : "error")
                  : fmt::format("{} → {}", c, bytes(e.result.value_or(0))));
      }
    } else if (c == "ftruncate" || c == "mmap" || c == "munmap") {
      const std::string id = "posix-shm:" + text_of(e, "name");
      if (!index_.count(id)) return;
      if (c == "mmap" && e.has("address")) attached_[{e.pid, e.value("address")}] = id;
      arrow(e, me, id,
            c == "ftruncate" ? fmt::format("ftruncate {}", bytes(e.value("length")))
            : c == "mmap"    ? "map"
                             : "unmap");
      if (c == "mmap" && e.has("address")) open_span(e.pid, e.value("address"), id, seq_.arrows.size() - 1);
      if (c == "munmap") close_spans(e.pid, e.value("addr"));
    } else if (c == "mq_unlink" || c == "shm_unlink" || c == "sem_unlink") {
      const std::string kind = c == "mq_unlink" ? "posix-mq" : c == "shm_unlink" ? "posix-shm" : "posix-sem";
      const std::string id = kind + ":" + text_of(e, "name");
      if (!index_.count(id)) return;
      arrow(e, me, id, c);
      if (!e.failed()) remove(id);
    }
    if (c == "shmat" && e.has("address") && !e.failed()) {
      attached_[{e.pid, e.value("address")}] = sysv_id("shm", e.value("shmid"));
      open_span(e.pid, e.value("address"), sysv_id("shm", e.value("shmid")), seq_.arrows.size() - 1);
    }
  }

  // A bar on the process's lifeline while it holds an attachment.
  void open_span(long pid, long long address, const std::string& object, size_t from) {
    const auto line = index_.find(process_id(pid));
    if (line == index_.end() || !index_.count(object)) return;
    open_[{pid, address}] = seq_.spans.size();
    seq_.spans.push_back({seq_.lines[line->second].id, object, from, from + 1});
  }
  // Ends the bars of `pid` (of one address, or all of them at its end) with the latest arrow.
  void close_spans(long pid, std::optional<long long> address) {
    for (auto it = open_.begin(); it != open_.end();) {
      if (it->first.first != pid || (address && it->first.second != *address)) {
        ++it;
        continue;
      }
      seq_.spans[it->second].to = std::max(seq_.spans[it->second].from + 1, seq_.arrows.size());
      it = open_.erase(it);
    }
  }

  // How each lifeline ends: processes the grader stopped, the deadlock's blocked calls, objects left.
  void finish() {
    for (const auto& [key, span] : open_) seq_.spans[span].to = seq_.arrows.size();
    open_.clear();
    const size_t end = seq_.arrows.size();
    const bool deadlock = s_.outcome == run::Outcome::Deadlock;
    for (const auto& p : s_.processes) {
      if (!p.started) continue;
      auto it = index_.find(process_id(p.pid));
      if (it == index_.end()) continue;
      Lifeline& l = seq_.lines[it->second];
      if (p.killed_by_grader) {
        l.end = deadlock ? "stopped: deadlock" : "killed by the grader";
        l.blocked = deadlock;
      }
    }
    // A process that ended holding a semaphore it took without SEM_UNDO: its lifeline says so, since
    // its P has no V after it and whoever waits next waits for ever.
    for (const auto& h : trace::dead_holds(s_.trace)) {
      auto it = index_.find(process_id(h.pid));
      if (it == index_.end()) continue;
      seq_.lines[it->second].end += fmt::format(", holds P({})", h.num);
    }
    for (auto& l : seq_.lines) {
      if (!l.ended) l.last = end;
      if (l.kind == Lifeline::Kind::Process && !l.ended && l.end.empty())
        l.end = deadlock ? "stopped: deadlock" : "killed at the end";
      if (l.kind == Lifeline::Kind::Process && deadlock && l.end == "stopped: deadlock") l.blocked = true;
    }
    // The deadlock: each blocked process's call, drawn as one more arrow towards what it waits on.
    for (const auto& b : s_.blocked) {
      auto it = index_.find(process_id(b.pid));
      if (it == index_.end()) continue;
      seq_.lines[it->second].blocked = true;
      seq_.lines[it->second].waits = b.call;
      std::string target = b.object;
      if (target.rfind("fifo:", 0) == 0) {
        const auto f = fifo_paths_.find(target.substr(5));
        target = f == fifo_paths_.end() ? std::string() : f->second;
      }
      if (target.empty() || !index_.count(target)) continue;
      Arrow a;
      a.from = process_id(b.pid);
      a.to = line_of(target);
      a.label = b.call + " (blocked)";
      a.blocked = true;
      a.call = b.call;
      a.process = seq_.lines[it->second].title + " (pid " + std::to_string(b.pid) + ")";
      seq_.arrows.push_back(std::move(a));
    }
    for (auto& l : seq_.lines) l.last = l.ended ? l.last : seq_.arrows.size();
    for (const auto& left : s_.leftovers) {
      std::string id;
      switch (left.kind) {
        case trace::IpcKind::MsgQueue:
          id = sysv_id("msg", left.id);
          break;
        case trace::IpcKind::ShmSegment:
          id = sysv_id("shm", left.id);
          break;
        case trace::IpcKind::SemSet:
          id = sysv_id("sem", left.id);
          break;
        case trace::IpcKind::PosixMq:
          id = "posix-mq:" + left.name;
          break;
        case trace::IpcKind::PosixShm:
          id = "posix-shm:" + left.name;
          break;
        case trace::IpcKind::PosixSem:
          id = "posix-sem:" + left.name;
          break;
        case trace::IpcKind::Fifo:
          if (auto f = fifo_paths_.find(left.name); f != fifo_paths_.end()) id = f->second;
          break;
        default:
          break;
      }
      auto it = index_.find(id);
      if (it == index_.end()) continue;
      Lifeline& l = seq_.lines[it->second];
      l.left_behind = true;
      l.ended = false;
      l.last = seq_.arrows.size();
      l.end = left.reclaimed ? "left behind (removed by the grader)" : "left behind";
    }
  }

  const run::ScenarioResult& s_;
  Sequence seq_;
  std::map<std::string, size_t> index_;  // lifeline id -> index in seq_.lines (the latest of a reused id)
  std::map<std::string, int> reuse_;
  std::map<std::pair<long, std::string>, std::string> wrong_;   // (pid, call) -> why
  std::map<std::pair<long, long long>, std::string> attached_;  // (pid, address) -> segment
  std::map<std::pair<long, long long>, size_t> open_;           // (pid, address) -> its span
  std::map<std::pair<long, long>, std::string> descriptors_;    // (pid, fd) -> POSIX object
  std::map<std::string, std::string> fifo_paths_;               // path as written -> lifeline id
};

}  // namespace

Sequence sequence_of(const run::ScenarioResult& scenario, const std::vector<CheckResult>& checks) {
  return Builder(scenario, checks).build();
}

}  // namespace ipcgrade::report
