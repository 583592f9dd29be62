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

#include "grader/families/family.hpp"
#include "grader/report/render.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/sem_holds.hpp"
#include "grader/trace/spelling.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

namespace {

std::string process_id(long pid) {
  return fmt::format("p{}", pid);
}

class Builder final : public families::Chart {
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
        std::vector<std::pair<long long, trace::ObjectId>> inherited;
        for (const auto& [key, segment] : attached_) {
          if (key.first == e.parent) inherited.emplace_back(key.second, segment);
        }
        for (const auto& [address, segment] : inherited) {
          attached_[{e.pid, address}] = segment;
          open_span(e.pid, address, segment.key(), seq_.arrows.size() - 1);
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
    process(e.pid, e.process);
    if (const families::Family* family = families::family_of_call(e.call)) family->draw(e, *this);
  }

  // What a family draws with (families/chart.hpp).
  bool known(const trace::ObjectId& id) const override { return index_.count(id.key()) > 0; }
  void object(const trace::ObjectId& id, const std::string& title, const std::string& sub) override {
    object(id.key(), title, sub);
  }
  void to_object(const trace::Event& e, const trace::ObjectId& id, std::string label) override {
    arrow(e, process_id(e.pid), id.key(), std::move(label));
  }
  void to_process(const trace::Event& e, const trace::ObjectId& id, std::string label) override {
    arrow(e, id.key(), process_id(e.pid), std::move(label));
  }
  void removed(const trace::ObjectId& id) override { remove(id.key()); }
  void attach(long pid, long long address, const trace::ObjectId& id) override {
    attached_[{pid, address}] = id;
    open_span(pid, address, id.key(), seq_.arrows.size() - 1);
  }
  std::optional<trace::ObjectId> attached(long pid, long long address) const override {
    const auto it = attached_.find({pid, address});
    if (it == attached_.end()) return std::nullopt;
    return it->second;
  }
  void detach(long pid, long long address) override { close_spans(pid, address); }
  void descriptor(long pid, long fd, const trace::ObjectId& id) override { descriptors_[{pid, fd}] = id; }
  std::optional<trace::ObjectId> descriptor_of(long pid, long fd) const override {
    const auto it = descriptors_.find({pid, fd});
    if (it == descriptors_.end()) return std::nullopt;
    return it->second;
  }
  void fifo_path(const std::string& path, const trace::ObjectId& id) override {
    fifo_paths_[path] = id.key();
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
      std::string target = b.object.key();
      if (b.object.kind == trace::ObjectId::Kind::Fifo) {
        const auto f = fifo_paths_.find(b.object.name);
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
      using K = trace::ObjectId::Kind;
      std::string id;
      switch (left.kind) {
        case trace::IpcKind::MsgQueue:
          id = trace::ObjectId::sysv(K::Msg, left.id).key();
          break;
        case trace::IpcKind::ShmSegment:
          id = trace::ObjectId::sysv(K::Shm, left.id).key();
          break;
        case trace::IpcKind::SemSet:
          id = trace::ObjectId::sysv(K::Sem, left.id).key();
          break;
        case trace::IpcKind::PosixMq:
          id = trace::ObjectId::named(K::PosixMq, left.name).key();
          break;
        case trace::IpcKind::PosixShm:
          id = trace::ObjectId::named(K::PosixShm, left.name).key();
          break;
        case trace::IpcKind::PosixSem:
          id = trace::ObjectId::named(K::PosixSem, left.name).key();
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
  std::map<std::pair<long, std::string>, std::string> wrong_;       // (pid, call) -> why
  std::map<std::pair<long, long long>, trace::ObjectId> attached_;  // (pid, address) -> segment
  std::map<std::pair<long, long long>, size_t> open_;               // (pid, address) -> its span
  std::map<std::pair<long, long>, trace::ObjectId> descriptors_;    // (pid, fd) -> POSIX object
  std::map<std::string, std::string> fifo_paths_;                   // path as written -> lifeline id
};

}  // namespace

Sequence sequence_of(const run::ScenarioResult& scenario, const std::vector<CheckResult>& checks) {
  return Builder(scenario, checks).build();
}

}  // namespace ipcgrade::report
