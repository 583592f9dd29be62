#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.hpp"
#include "grader/config/assignment.hpp"

namespace ipcgrade::checks {

// Makes the check of `spec` with its type, from the parameters config kept. An unknown type or a wrong
// parameter is a config::ConfigError at its file:line:column, as when the file was read.
std::shared_ptr<const Check> make_check(const config::CheckSpec& spec);
// The checks of `assignment`, one per config::CheckSpec, in order.
std::vector<std::shared_ptr<const Check>> make_checks(const config::Assignment& assignment);

// Reads an assignment (config::load_assignment) and makes its checks once, so that a mistake in a
// check's type or parameters is reported when the file is read, like every other mistake in it.
config::Assignment load_assignment(const std::filesystem::path& path);

// Whether a check of `assignment` judges `call` (see CheckType::calls): the runner traces the most
// frequent calls, read and write, only when one does.
bool judges_call(const config::Assignment& assignment, std::string_view call);

}  // namespace ipcgrade::checks
