// The trace file: files recorded by earlier versions read back and write out unchanged, and
// docs/tracing.md's table of traced calls is the call table's own.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "grader/run/trace_file.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/event_json.hpp"

namespace fs = std::filesystem;
using namespace ipcgrade;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// Traces of three sample variants as the grader wrote them before events carried numbers: every value
// reads back into numbers and is spelled again exactly as it was.
TEST(TraceFile, RecordedTracesReadBackAndWriteOutUnchanged) {
  const fs::path dir = fs::path(SOURCE_DIR) / "tests" / "golden" / "traces";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    SCOPED_TRACE(entry.path().filename().string());
    ++files;
    const std::string text = read_file(entry.path());
    const auto original = nlohmann::json::parse(text);
    const auto traces = run::read_trace_file(text);
    ASSERT_EQ(traces.size(), original.at("scenarios").size());
    size_t values = 0;
    for (size_t s = 0; s < traces.size(); ++s) {
      const auto& events = traces[s].second.events;
      const auto& recorded = original["scenarios"][s]["events"];
      ASSERT_EQ(events.size(), recorded.size());
      for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(trace::readable_json(events[i]), recorded[i]);
        values += events[i].values.size();
      }
    }
    EXPECT_GT(values, 0u);
  }
  EXPECT_EQ(files, 3);
}

TEST(TraceFile, TheCompactFormCarriesEverythingTheReadableOneDoes) {
  const fs::path path =
      fs::path(SOURCE_DIR) / "tests" / "golden" / "traces" / "pipe-shout-reader-keeps-write-end.json";
  for (const auto& [name, trace] : run::read_trace_file(read_file(path))) {
    for (const auto& e : trace.events) {
      const trace::Event back = nlohmann::json(e).get<trace::Event>();
      EXPECT_EQ(trace::readable_json(back), trace::readable_json(e));
    }
  }
}

namespace {

std::string yes(bool b) {
  return b ? "yes" : "";
}

// The call table as docs/tracing.md shows it, one row per call.
std::string rendered_call_table() {
  using namespace trace;
  const auto family = [](Family f) {
    constexpr const char* names[] = {"msg",     "shm",    "sem",     "descriptors", "process",
                                     "memory",  "timers", "signals", "sockets",     "names",
                                     "sandbox", "mq",     "files"};
    return names[static_cast<int>(f)];
  };
  const auto stops = [](const CallRow& r) -> std::string {
    std::string when = r.mode == Mode::Tracked ? "tracked mode" : "always";
    if (r.guard == Guard::Absent) return "never (the filter answers)";
    if (r.stop == Stop::Never) return "never (watched in /proc)";
    if (r.stop == Stop::Named) return "as `" + std::string(r.via) + "`";
    if (r.stop == Stop::PipeIo) return "fd > 2, when pipe traffic is judged";
    if (r.stop == Stop::When) return when + ", on some arguments";
    return when;
  };
  const auto blocks = [](Blocks b) -> std::string {
    switch (b) {
      case Blocks::Never:
        return "";
      case Blocks::Always:
        return "yes";
      case Blocks::WithoutTimeout:
        return "without a timeout";
      case Blocks::PipeRead:
        return "on a pipe's read end";
      case Blocks::PipeWrite:
        return "on a pipe's write end";
      case Blocks::FifoOpen:
        return "on a FIFO";
    }
    return "";
  };
  const auto guard = [](Guard g) -> std::string {
    constexpr const char* names[] = {"",
                                     "refused",
                                     "run's pids only",
                                     "run's sockets only",
                                     "run's objects only",
                                     "name watched",
                                     "ENOSYS",
                                     "run's pidfds only"};
    return names[static_cast<int>(g)];
  };
  std::string out =
      "| call | family | stops | waits for exit | repeats fold | blocks on the run | guard |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const auto& r : call_table()) {
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", r.name, family(r.family), stops(r),
                       r.exit == Exit::Always      ? "yes"
                       : r.exit == Exit::IfDecoded ? "when a pipe's"
                                                   : "",
                       yes(r.fold != Fold::None), blocks(r.blocks), guard(r.guard));
  }
  return out;
}

}  // namespace

TEST(TraceFile, DocsListExactlyTheCallTable) {
  const std::string doc = read_file(fs::path(SOURCE_DIR) / "docs" / "tracing.md");
  const std::string begin = "<!-- call table -->\n", end = "<!-- end of call table -->";
  const auto from = doc.find(begin), to = doc.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/tracing.md has no call table";
  ASSERT_NE(to, std::string::npos);
  const std::string shown = doc.substr(from + begin.size(), to - from - begin.size());
  EXPECT_EQ(shown, rendered_call_table())
      << "docs/tracing.md's call table differs from grader/trace/calls.cpp; "
         "the table as the code has it:\n"
      << rendered_call_table();
}

// Events name their values through trace::ValueName: a misspelt name in the grader does not compile,
// and the list of names is exactly what the call table's rows and exit events declare (no name that no
// row uses, no row's name missing).
TEST(TraceValues, TheNamesAreExactlyWhatTheCallTableDeclares) {
  std::set<std::string_view> declared = {"refused"};
  for (const auto& row : trace::call_table()) {
    for (const auto* list : {&row.args, &row.recorded}) {
      for (const auto& arg : *list) declared.insert(arg.name.str());
    }
  }
  for (const auto& arg : trace::exit_values()) declared.insert(arg.name.str());
  const std::set<std::string_view> names(trace::kValueNames.begin(), trace::kValueNames.end());
  EXPECT_EQ(names, declared);
}

// A trace file is read strictly: a value no event has, or one its call's row does not declare, is an
// error naming it, where a lookup by string would have read 0.
TEST(TraceValues, AValueTheRowDoesNotDeclareDoesNotLoad) {
  const auto load = [](const std::string& event) -> std::string {
    try {
      (void)nlohmann::json::parse(event).get<trace::Event>();
      return "";
    } catch (const nlohmann::json::exception& e) {
      return e.what();
    }
  };
  EXPECT_EQ(
      load(R"({"seq": 4, "kind": "call", "pid": 1, "call": "msgsnd", "values": {"msqid": 0, "msgsz": 8}})"),
      "");
  EXPECT_NE(load(R"({"seq": 4, "kind": "call", "pid": 1, "call": "msgsnd", "values": {"mtpye": 1}})")
                .find("an event has no value named 'mtpye'"),
            std::string::npos);
  EXPECT_NE(load(R"({"seq": 4, "kind": "call", "pid": 1, "call": "msgsnd", "values": {"semid": 1}})")
                .find("a value of event 4 is not one the call table's row of msgsnd declares: semid"),
            std::string::npos);
  EXPECT_NE(load(R"({"seq": 5, "kind": "call", "pid": 1, "call": "msgsnd", "args": {"nsems": "1"}})")
                .find("not one the call table's row of msgsnd declares: nsems"),
            std::string::npos);
  EXPECT_NE(load(R"({"seq": 6, "kind": "exit", "pid": 1, "values": {"key": 1}})")
                .find("a value of event 6 is not one an exit event declares: key"),
            std::string::npos);
}
