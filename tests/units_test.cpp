// Small pieces the parser and the runner rely on: units, shell words, placeholders, keys, UTF-8.
#include <gtest/gtest.h>

#include <set>

#include "grader/config/assignment.hpp"
#include "grader/config/placeholders.hpp"
#include "grader/config/shell_words.hpp"
#include "grader/runner/keys.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

using namespace ipcgrade;

TEST(Units, Durations) {
  EXPECT_EQ(util::parse_duration("250ms")->count(), 250);
  EXPECT_EQ(util::parse_duration("10s")->count(), 10000);
  EXPECT_EQ(util::parse_duration("1.5s")->count(), 1500);
  EXPECT_EQ(util::parse_duration("2m")->count(), 120000);
  EXPECT_EQ(util::parse_duration("1h")->count(), 3600000);
  EXPECT_FALSE(util::parse_duration("10"));
  EXPECT_FALSE(util::parse_duration("ten s"));
  EXPECT_FALSE(util::parse_duration("-1s"));
  EXPECT_EQ(util::format_duration(std::chrono::milliseconds(10000)), "10s");
  EXPECT_EQ(util::format_duration(std::chrono::milliseconds(250)), "250ms");
}

TEST(Units, Sizes) {
  EXPECT_EQ(*util::parse_size("64KiB"), 65536u);
  EXPECT_EQ(*util::parse_size("256MiB"), 256u << 20);
  EXPECT_EQ(*util::parse_size("1GiB"), 1ull << 30);
  EXPECT_EQ(*util::parse_size("4096"), 4096u);
  EXPECT_EQ(*util::parse_size("10MB"), 10000000u);
  EXPECT_FALSE(util::parse_size("lots"));
  EXPECT_FALSE(util::parse_size("1.5MiB"));
  EXPECT_EQ(util::format_size(65536), "64 KiB");
}

TEST(ShellWords, SplitsLikeAShellWithoutExpanding) {
  std::string error;
  EXPECT_EQ(*config::split_shell_words(R"(./client {key} "two words" 'a "b"' c\ d $HOME)", &error),
            (std::vector<std::string>{"./client", "{key}", "two words", "a \"b\"", "c d", "$HOME"}));
  EXPECT_EQ(*config::split_shell_words("  a   b  ", &error), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*config::split_shell_words("''", &error), (std::vector<std::string>{""}));
  EXPECT_FALSE(config::split_shell_words("\"open", &error));
  EXPECT_EQ(error, "unterminated double quote");
}

TEST(Placeholders, ExpandsEveryName) {
  config::Placeholders p{{0x5000, 0x5001}, 2, "alice", "/a", "/s"};
  EXPECT_EQ(p.expand("{key} {key0} {key1} {key_hex} {key1_hex} {index} {student} {assignment} {submission}"),
            "20480 20480 20481 0x5000 0x5001 2 alice /a /s");
  EXPECT_EQ(p.expand("word{index}{index}"), "word22");
  EXPECT_EQ(p.expand("{other} {"), "{other} {");
  EXPECT_EQ(config::unknown_placeholder("{key} {key1}", 2), std::nullopt);
  EXPECT_EQ(config::unknown_placeholder("{key2}", 2), "{key2}");
  EXPECT_EQ(config::unknown_placeholder("{other}", 1), "{other}");
  // POSIX names: one per key, from the assignment's id and the key.
  EXPECT_EQ(config::unknown_placeholder("{name} {name1}", 2), std::nullopt);
  EXPECT_EQ(config::unknown_placeholder("{name2}", 2), "{name2}");
  p.names = config::object_names("relay", p.keys);
  EXPECT_EQ(p.names, (std::vector<std::string>{"/relay-5000", "/relay-5001"}));
  EXPECT_EQ(p.expand("{name} {name0} {name1} {name2}"), "/relay-5000 /relay-5000 /relay-5001 {name2}");
}

TEST(Keys, DerivedKeysAreStablePositiveAndDistinct) {
  config::Assignment a;
  a.id = "relay";
  a.keys.count = 3;
  const auto alice = runner::assign_keys(a, "alice");
  EXPECT_EQ(alice, runner::assign_keys(a, "alice"));
  ASSERT_EQ(alice.size(), 3u);
  EXPECT_EQ(alice[1], alice[0] + 1);
  std::set<key_t> seen;
  for (int i = 0; i < 500; ++i) {
    const auto k = runner::assign_keys(a, "student" + std::to_string(i));
    EXPECT_GT(k[0], 0);
    seen.insert(k[0]);
  }
  EXPECT_EQ(seen.size(), 500u);
}

TEST(Keys, BaseGivesEveryoneTheSameKeys) {
  config::Assignment a;
  a.id = "relay";
  a.keys.base = 0x5000;
  a.keys.count = 2;
  EXPECT_EQ(runner::assign_keys(a, "bob"), (std::vector<key_t>{0x5000, 0x5001}));
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(util::valid_utf8("plain"), "plain");
  EXPECT_EQ(util::valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(util::valid_utf8("a\xff"
                             "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(util::valid_utf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  EXPECT_EQ(util::valid_utf8(std::string("nul\0byte", 8)), std::string("nul\0byte", 8));
}
