// The families' layout as docs/architecture.md's recipe describes it: a family is its folder
// (grader/families/<family>/ with decode.cpp, chart.cpp and, when its calls can block, blocking.cpp) and one
// line in families/list.hpp; nothing else in grader/ reaches into a family or names one of its calls.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "grader/families/family.hpp"
#include "grader/trace/calls.hpp"

using namespace ipcgrade;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every C++ file of grader/, as a path relative to the source folder.
std::vector<std::string> grader_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(kSource / "grader")) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp"))
      out.push_back(fs::relative(e.path(), kSource).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The code of a file: its comments taken out (a comment may name any call).
std::string code_of(const std::string& text) {
  static const std::regex comment(R"(//[^\n]*)");
  return std::regex_replace(text, comment, "");
}

bool in_folder(const std::string& file, const std::string& folder) {
  return file.rfind(folder + "/", 0) == 0;
}

}  // namespace

TEST(Families, EachIsAFolderOfItsFilesAndEveryFolderIsRegistered) {
  std::set<std::string> registered;
  for (const families::Family* f : families::all_families()) {
    registered.insert(std::string(f->name));
    std::set<std::string> files;
    for (const auto& e : fs::directory_iterator(kSource / "grader/families" / f->name))
      files.insert(e.path().filename().string());
    std::set<std::string> expected = {"chart.cpp", "decode.cpp"};
    if (f->blocks) expected.insert("blocking.cpp");  // only a family some of whose calls can block
    EXPECT_EQ(files, expected) << f->name;
  }
  for (const auto& e : fs::directory_iterator(kSource / "grader/families")) {
    if (e.is_directory()) {
      EXPECT_TRUE(registered.count(e.path().filename().string())) << e.path();
    }
  }
  EXPECT_EQ(registered.size(), families::all_families().size()) << "a folder registered twice";
}

// The recipe's count: a family touches its folder, its line in list.hpp and its rows in the call
// table. No other file of grader/ reaches into a family's namespace.
TEST(Families, ANewFamilyIsItsFolderAndOneLine) {
  const std::string list = slurp(kSource / "grader/families/list.hpp");
  for (const families::Family* f : families::all_families()) {
    const std::string name(f->name);
    EXPECT_NE(list.find("FAMILY(" + name + ", "), std::string::npos) << name;
    const std::regex reach("\\b" + name + "::");
    for (const auto& file : grader_files()) {
      if (in_folder(file, "grader/families/" + name)) continue;
      EXPECT_FALSE(std::regex_search(slurp(kSource / file), reach)) << file << " reaches into " << name;
    }
  }
}

// Words that are a call's name and something else besides, where they are the something else.
const std::set<std::pair<std::string, std::string>> kNotCalls = {
    {"grader/trace/spelling.cpp", "\"read\""},  // a pipe end's spelling: "read", "write"
    {"grader/trace/spelling.cpp", "\"write\""},
    {"grader/cli/run_command.cpp", "\"unlink\""},  // mq-usage's parameter `unlink`
    {"grader/cli/run_command.cpp", "\"shmdt\""},   // the name `run` gives its shm-usage check
    {"grader/trace/value_name.hpp", "\"pipe\""},   // the value naming a pipe (pipe 1, pipe 2, ...)
};

// A traced call of a family is named (as a string) in the call table and in its family's folder only
// (or, for a library function's name, in the folder of the family that decodes the system call it is
// recorded from: mq_close is a close): the tracer, the watchdog, the chart and the audit ask the
// family or the table.
TEST(Families, TracedCallsAreNamedInTheTableAndTheirFamilyOnly) {
  std::map<std::string, std::string> contents;
  for (const auto& file : grader_files()) contents[file] = code_of(slurp(kSource / file));
  int rows = 0;
  for (const auto& row : trace::call_table()) {
    const families::Family* family = families::family_of_call(row.name);
    if (!family) continue;
    ++rows;
    const std::string quoted = "\"" + std::string(row.name) + "\"";
    const families::Family* decoding =
        row.stop == trace::Stop::Named ? families::family_of_call(row.via) : nullptr;
    for (const auto& [file, text] : contents) {
      if (file.rfind("grader/trace/calls", 0) == 0 ||
          in_folder(file, "grader/families/" + std::string(family->name)) ||
          (decoding && in_folder(file, "grader/families/" + std::string(decoding->name))) ||
          kNotCalls.count({file, quoted}))
        continue;
      EXPECT_EQ(text.find(quoted), std::string::npos)
          << file << " names " << quoted << ", a call of the " << family->name << " family";
    }
  }
  EXPECT_GT(rows, 40);
}

// What each family's rows reach: the decoders of a family are rows of the table, and the table's rows
// of a family's Family find the family again (the tracer's, the watchdog's and the chart's lookup).
TEST(Families, EachFamilysRowsFindItFromTheTable) {
  for (const families::Family* f : families::all_families()) {
    EXPECT_EQ(families::family_of(f->id), f) << f->name;
    for (const auto& d : f->decoders()) {
      ASSERT_NE(trace::call_row(d.call), nullptr) << d.call;
      EXPECT_EQ(families::family_of_call(d.call), f) << d.call;
    }
  }
  int blocking = 0;
  for (const auto& row : trace::call_table()) {
    if (row.blocks == trace::Blocks::Never) continue;
    const families::Family* f = families::family_of(row.family);
    if (!f) continue;  // waitpid, pause: the process calls, which the watchdog answers itself
    EXPECT_TRUE(f->blocks) << row.name << " can block, but its family " << f->name << " says it never does";
    ++blocking;
    EXPECT_EQ(families::family_of_call(row.name), f) << row.name;
  }
  EXPECT_GE(blocking, 8);
}
