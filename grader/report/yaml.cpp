#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <cmath>
#include <regex>

#include "grader/report/render.hpp"

namespace ipcgrade::report {

namespace {

using nlohmann::ordered_json;

// Quoted when a YAML reader would otherwise take the text for something else: a number (keys
// "0x00005000", modes "0600"), a boolean, null, or text with control characters.
bool needs_quotes(const std::string& s) {
  static const std::regex not_a_string(
      R"(^([-+]?(0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9]+|\.inf|\.nan)|)"
      R"(true|false|True|False|TRUE|FALSE|yes|no|Yes|No|YES|NO|on|off|On|Off|ON|OFF|y|n|Y|N|null|Null|NULL|~)$)");
  if (s.empty() || std::regex_match(s, not_a_string)) return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Emits a JSON tree as YAML. `flow` lists the keys whose items are written on one line each, like
// the examples in the specification ({scenario: ..., process: ...}).
void emit(YAML::Emitter& out, const ordered_json& j, bool flow) {
  switch (j.type()) {
    case ordered_json::value_t::object:
      out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
      for (const auto& [key, value] : j.items()) {
        out << YAML::Key << key << YAML::Value;
        const bool child_flow = flow || key == "build";
        if (value.is_array() &&
            (key == "evidence" || key == "processes" || key == "leftovers" || key == "keys")) {
          out << (value.empty() ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
          for (const auto& item : value) emit(out, item, true);
          out << YAML::EndSeq;
        } else if (key == "log" && value.is_string() &&
                   value.get<std::string>().find('\n') != std::string::npos) {
          out << YAML::DoubleQuoted << value.get<std::string>();
        } else {
          emit(out, value, child_flow && key == "build" ? false : child_flow);
        }
      }
      out << YAML::EndMap;
      break;
    case ordered_json::value_t::array:
      out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
      for (const auto& item : j) emit(out, item, flow);
      out << YAML::EndSeq;
      break;
    case ordered_json::value_t::string: {
      const std::string s = j.get<std::string>();
      // yaml-cpp writes DEL raw even in a double-quoted string, and strict readers (PyYAML) refuse it;
      // escaping non-ASCII for this one string writes it as \x7F (and the rest as \u escapes).
      const bool del = s.find('\x7f') != std::string::npos;
      if (del) out.SetOutputCharset(YAML::EscapeNonAscii);
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      if (del) out.SetOutputCharset(YAML::EmitNonAscii);
      break;
    }
    case ordered_json::value_t::boolean:
      out << j.get<bool>();
      break;
    case ordered_json::value_t::number_integer:
      out << j.get<long long>();
      break;
    case ordered_json::value_t::number_unsigned:
      out << j.get<unsigned long long>();
      break;
    case ordered_json::value_t::number_float: {
      const double d = j.get<double>();
      if (std::floor(d) == d && std::fabs(d) < 1e15)
        out << static_cast<long long>(d);
      else
        out << fmt::format("{:.2f}", d);
      break;
    }
    case ordered_json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string to_yaml(const Report& report) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetBoolFormat(YAML::TrueFalseBool);
  emit(out, to_json(report), false);
  return std::string(out.c_str()) + "\n";
}

}  // namespace ipcgrade::report
