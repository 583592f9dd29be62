// `output`: every selected process printed what the assignment expects on stdout and/or stderr.
#include <fmt/format.h>

#include <optional>

#include "checks/check.hpp"
#include "grader/util/pattern.hpp"

namespace ipcgrade::checks {

namespace {

struct Expectation {
  enum class How { Equals, Contains, Matches } how = How::Equals;
  std::string text;
  std::optional<util::Pattern> re;

  bool holds(const std::string& output) const {
    switch (how) {
      case How::Equals:
        return output == text;
      case How::Contains:
        return output.find(text) != std::string::npos;
      case How::Matches:
        return re && re->matches_whole(output);
    }
    return false;
  }
  std::string describe() const {
    switch (how) {
      case How::Equals:
        return "to be exactly " + quote_output(text);
      case How::Contains:
        return "to contain " + quote_output(text);
      case How::Matches:
        return "to match the pattern " + quote_output(text);
    }
    return {};
  }
};

Expectation parse_expectation(const config::ParamReader& params, std::string_view stream) {
  const config::ParamReader m = params.map(stream);
  m.allow_only({"equals", "contains", "matches"});
  const int given = int(m.has("equals")) + int(m.has("contains")) + int(m.has("matches"));
  if (given != 1)
    params.fail(stream, fmt::format("'{}' needs exactly one of: equals, contains, matches", stream));
  Expectation e;
  if (m.has("equals")) {
    e.text = m.string("equals");
  } else if (m.has("contains")) {
    e.how = Expectation::How::Contains;
    e.text = m.string("contains");
  } else {
    e.how = Expectation::How::Matches;
    e.text = m.string("matches");
    std::string error;
    e.re = util::Pattern::compile(e.text, &error);
    if (!e.re) m.fail("matches", fmt::format("'{}' is not a valid regular expression: {}", e.text, error));
  }
  return e;
}

class OutputCheck : public Check {
 public:
  std::optional<Expectation> out, err;
  std::optional<int> exit;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      for (const run::ProcessResult* p : input.processes(scenario)) judge(scenario, *p, v);
    }
    if (v.offences > 0) {
      v.status = Status::Failed;
      if (v.offences == 1) v.advice = "";  // the feedback is that one piece of evidence
      v.feedback = v.offences == 1
                       ? v.evidence.front().detail
                       : fmt::format("{} processes printed something else than expected; first: {}",
                                     v.offences, v.evidence.front().detail);
    } else {
      v.feedback = "Every process printed what was expected.";
    }
    return v;
  }

 private:
  void judge(const ScenarioView& scenario, const run::ProcessResult& p, Verdict& v) const {
    std::string problem;
    if (!p.started) {
      problem = not_started(p);
    } else if (out && !out->holds(p.stdout_text)) {
      problem = fmt::format("{} printed {} on stdout; expected it {}", describe(p),
                            quote_output(p.stdout_text), out->describe());
    } else if (err && !err->holds(p.stderr_text)) {
      problem = fmt::format("{} printed {} on stderr; expected it {}", describe(p),
                            quote_output(p.stderr_text), err->describe());
    } else if (exit && (p.signal || p.exit_code != exit)) {
      problem = p.signal ? fmt::format("{} was killed by signal {}; expected exit code {}", describe(p),
                                       *p.signal, *exit)
                         : fmt::format("{} exited with code {}; expected {}", describe(p),
                                       p.exit_code.value_or(-1), *exit);
    }
    if (problem.empty()) return;
    ++v.offences;
    v.evidence.push_back(Evidence{scenario.spec->name, p.name, p.pid, "", "", problem});
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"stdout", "stderr", "exit"});
  auto check = std::make_unique<OutputCheck>();
  if (params.has("stdout")) check->out = parse_expectation(params, "stdout");
  if (params.has("stderr")) check->err = parse_expectation(params, "stderr");
  if (params.has("exit")) check->exit = static_cast<int>(params.integer("exit"));
  if (!check->out && !check->err) params.fail_here("an output check needs 'stdout' or 'stderr'");
  return check;
}

}  // namespace

const CheckType kOutputCheck{"output", &make, {}};

}  // namespace ipcgrade::checks
