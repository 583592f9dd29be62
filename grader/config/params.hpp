#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcgrade::config {

// Read access to one YAML mapping of an assignment file (a check's parameters, say) without exposing
// yaml-cpp: each check type parses its own parameters through it, and every error it raises carries the
// file:line:column of the offending value.
class ParamReader {
 public:
  struct Impl;
  explicit ParamReader(std::shared_ptr<const Impl> impl);
  // Parameters made in code rather than read from a file (`run` makes its checks so), each value
  // spelt as an assignment file would spell it; `shown` names their source in messages.
  struct Given {
    std::vector<std::pair<std::string, std::string>> values;
    std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  };
  static ParamReader given(const std::string& shown, const Given& params);
  ~ParamReader();
  ParamReader(const ParamReader&);

  bool has(std::string_view key) const;
  bool is_map(std::string_view key) const;
  bool is_list(std::string_view key) const;

  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::vector<std::int64_t> integer_list(std::string_view key) const;
  std::vector<std::string> string_list(std::string_view key) const;
  ParamReader map(std::string_view key) const;

  // Rejects keys of this mapping other than `allowed` (with a hint when one is a near miss).
  void allow_only(const std::vector<std::string_view>& allowed) const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  [[noreturn]] void fail_here(const std::string& message) const;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace ipcgrade::config
