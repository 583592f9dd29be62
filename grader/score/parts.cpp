// Checks over visible and hidden scenarios, judged in two parts (see parts.hpp).
#include "grader/score/parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace ipcgrade::score {

namespace {

// The scenarios of `visibility` that a check covers, in the file's order.
std::vector<std::string> covered(const config::Assignment& a, const config::CheckSpec& check,
                                 config::Visibility visibility, const std::set<std::string>* ran) {
  std::vector<std::string> out;
  for (const auto& s : a.scenarios) {
    if (check.covers(s.name) && s.visibility == visibility && (!ran || ran->count(s.name)))
      out.push_back(s.name);
  }
  return out;
}

}  // namespace

Split split_checks(const config::Assignment& assignment, const std::set<std::string>* ran) {
  Split out{assignment, {}};
  out.judged.checks.clear();
  for (const auto& check : assignment.checks) {
    const auto visible = covered(assignment, check, config::Visibility::Visible, ran);
    const auto hidden = covered(assignment, check, config::Visibility::Hidden, ran);
    std::vector<size_t> mine;
    if (visible.empty() || hidden.empty()) {
      mine.push_back(out.judged.checks.size());
      out.judged.checks.push_back(check);
    } else {
      // The points by scenario; the hidden part takes the rest, so that the parts add up exactly.
      config::CheckSpec seen = check, unseen = check;
      seen.scenarios = visible;
      seen.points = check.points * static_cast<double>(visible.size()) /
                    static_cast<double>(visible.size() + hidden.size());
      unseen.scenarios = hidden;
      unseen.points = check.points - seen.points;
      seen.share = static_cast<double>(visible.size()) / static_cast<double>(visible.size() + hidden.size());
      unseen.share = 1 - seen.share;
      mine = {out.judged.checks.size(), out.judged.checks.size() + 1};
      out.judged.checks.push_back(std::move(seen));
      out.judged.checks.push_back(std::move(unseen));
    }
    out.parts.push_back(std::move(mine));
  }
  return out;
}

std::vector<report::CheckResult> join_parts(const config::Assignment& assignment, const Split& split,
                                            std::vector<report::CheckResult> whole,
                                            std::vector<report::CheckResult> judged) {
  std::vector<report::CheckResult> out;
  for (size_t i = 0; i < assignment.checks.size(); ++i) {
    const auto& mine = split.parts[i];
    if (mine.size() == 1) {
      out.push_back(std::move(judged[mine[0]]));
      continue;
    }
    report::CheckResult seen = std::move(judged[mine[0]]), unseen = std::move(judged[mine[1]]);
    // A part that found nothing to judge where the other found something judged nothing wrong: the
    // check as written found what it looks for (only a whole that finds nothing fails on it).
    for (auto [part, other, which] :
         {std::tuple{&seen, &unseen, "visible"}, std::tuple{&unseen, &seen, "hidden"}}) {
      if (!part->nothing_to_judge || other->nothing_to_judge) continue;
      part->nothing_to_judge = false;
      part->status = checks::Status::Passed;
      part->score = part->max_score;
      const std::string why = part->feedback.substr(part->feedback.find(": ") + 2);
      part->feedback =
          fmt::format("Nothing to judge in the {} scenarios: {} It is judged in the others.", which, why);
    }
    seen.visibility = config::Visibility::Visible;
    unseen.visibility = config::Visibility::Hidden;
    seen.scenarios = split.judged.checks[mine[0]].scenarios;
    unseen.scenarios = split.judged.checks[mine[1]].scenarios;
    // What the check says is the check's judged whole (its evidence over every scenario, grouped); its
    // score and status are its parts'.
    report::CheckResult r = std::move(whole[i]);
    r.score = seen.score + unseen.score;
    r.status = seen.status == checks::Status::Failed || unseen.status == checks::Status::Failed
                   ? checks::Status::Failed
                   : checks::Status::Passed;
    if (r.status == checks::Status::Failed && r.evidence.empty() && r.feedback.rfind("Nothing", 0) != 0) {
      // Judged whole it held (a rule over runs the parts met apart): the failing part says why.
      const report::CheckResult& failed = seen.status == checks::Status::Failed ? seen : unseen;
      r.feedback = failed.feedback;
      r.advice = failed.advice;
      r.evidence = failed.evidence;
    }
    r.parts = {std::move(seen), std::move(unseen)};
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ipcgrade::score
