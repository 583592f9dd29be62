// `ipcgrade audit`: the host's IPC objects, for an instructor or a lab admin cleaning up after
// students (or after a grader that was killed). Lists System V queues, segments and semaphore sets
// and POSIX shared memory and message queues; marks the orphans that journals of killed tracked-mode
// runs record. `--reclaim` removes the selected objects, or without a selector only those orphans:
// never "everything".
#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "grader/audit/journal.hpp"
#include "grader/audit/sysv.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/error.hpp"
#include "grader/report/render.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::cli {

namespace {

long parse_key(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    const long long k = std::stoll(text, &used, 0);
    if (used != text.size() || k < 0 || k > 0xffffffffLL) throw std::invalid_argument(text);
    return static_cast<long>(static_cast<int>(static_cast<unsigned>(k)));  // as /proc/sysvipc prints it
  } catch (const std::exception&) {
    throw config::ConfigError(fmt::format("{} '{}' is not a key; write it like 0x5000 or 20480", what, text));
  }
}

long parse_user(const std::string& text) {
  if (const passwd* pw = ::getpwnam(text.c_str())) return static_cast<long>(pw->pw_uid);
  try {
    size_t used = 0;
    const long uid = std::stol(text, &used, 10);
    if (used == text.size() && uid >= 0) return uid;
  } catch (const std::exception&) {
  }
  throw config::ConfigError("--user '" + text + "' is neither a user name nor a uid");
}

std::string user_name(long uid) {
  if (uid < 0) return "-";
  if (const passwd* pw = ::getpwuid(static_cast<uid_t>(uid))) return pw->pw_name;
  return std::to_string(uid);
}

std::string age(long long since) {
  if (since <= 0) return "-";
  const long long s = std::max<long long>(0, static_cast<long long>(std::time(nullptr)) - since);
  if (s < 120) return fmt::format("{}s", s);
  if (s < 7200) return fmt::format("{}m", s / 60);
  if (s < 172800) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

}  // namespace

void add_audit_command(CLI::App& app, AuditArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "audit", "list System V and POSIX IPC objects on this host, mark orphans of killed ipcgrade runs");
  auto* key = cmd->add_option("--key", args.key, "only the object(s) with this key (0x5000 or 20480)");
  cmd->add_option("--key-range", args.key_range, "only keys from A to B, both included (0x5000-0x50ff)")
      ->excludes(key);
  cmd->add_option("--user", args.user, "only objects owned or created by this user (name or uid)");
  cmd->add_flag("--reclaim", args.reclaim,
                "remove the selected objects; with no --key/--key-range/--user, only the orphans");
  cmd->add_flag("--json", args.json, "print the list as JSON");
}

int run_audit(const AuditArgs& args) {
  std::optional<std::pair<long, long>> keys;
  if (!args.key.empty()) {
    const long k = parse_key(args.key, "--key");
    keys = {k, k};
  }
  if (!args.key_range.empty()) {
    const auto dash = args.key_range.find('-', 1);
    if (dash == std::string::npos)
      throw config::ConfigError("--key-range must be written A-B, e.g. 0x5000-0x50ff");
    long a = parse_key(args.key_range.substr(0, dash), "--key-range");
    long b = parse_key(args.key_range.substr(dash + 1), "--key-range");
    // Compare as the unsigned keys they are.
    keys = {std::min<long>(static_cast<unsigned>(a), static_cast<unsigned>(b)),
            std::max<long>(static_cast<unsigned>(a), static_cast<unsigned>(b))};
  }
  const bool by_user = !args.user.empty();
  const long user = by_user ? parse_user(args.user) : -1;
  const bool selector = keys || by_user;
  const auto orphans = audit::orphan_journals();

  auto objects = audit::list_sysv_objects();
  std::error_code ec;
  const bool mqueue = std::filesystem::exists("/dev/mqueue", ec);
  for (auto& posix : audit::list_posix_objects("/dev/shm", mqueue ? "/dev/mqueue" : ""))
    objects.push_back(posix);

  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::string table = fmt::format("{:<10} {:<14} {:>6} {:<10} {:<10} {:>10} {:>6} {:>6}  {}\n", "KIND",
                                  "KEY/NAME", "ID", "OWNER", "CREATOR", "SIZE", "ATTACH", "AGE", "");
  int shown = 0, failed = 0, orphan_count = 0;
  for (auto& o : objects) {
    const bool sysv = o.path.empty();
    if (keys) {
      const long k = static_cast<unsigned>(o.key);
      if (!sysv || k < keys->first || k > keys->second) continue;
    }
    if (by_user && o.uid != user && o.cuid != user) continue;
    const bool orphan = sysv && audit::recorded_in(o, orphans);
    orphan_count += orphan;
    if (args.reclaim && (selector || orphan)) audit::reclaim(o);
    ++shown;
    failed += !o.reclaim_error.empty();
    const std::string name = sysv ? report::format_key(static_cast<key_t>(o.key)) : o.name;
    const std::string size =
        o.kind == trace::IpcKind::SemSet ? fmt::format("{} sems", o.messages) : util::format_size(o.bytes);
    std::string note = orphan ? "orphan of a killed ipcgrade run" : "";
    if (o.reclaimed) note += std::string(note.empty() ? "" : "; ") + "removed";
    if (!o.reclaim_error.empty())
      note += std::string(note.empty() ? "" : "; ") + "not removed: " + o.reclaim_error;
    table += fmt::format(
        "{:<10} {:<14} {:>6} {:<10} {:<10} {:>10} {:>6} {:>6}  {}\n", trace::ipc_kind_name(o.kind), name,
        sysv ? std::to_string(o.id) : "-", user_name(o.uid), user_name(o.cuid), size,
        o.kind == trace::IpcKind::ShmSegment ? std::to_string(o.attached) : "-", age(o.created), note);
    nlohmann::ordered_json j;
    j["kind"] = trace::ipc_kind_name(o.kind);
    if (sysv) {
      j["key"] = name;
      j["id"] = o.id;
    } else {
      j["name"] = o.name;
    }
    j["mode"] = fmt::format("{:04o}", o.mode);
    j["owner"] = user_name(o.uid);
    j["creator"] = user_name(o.cuid);
    j["bytes"] = o.bytes;
    if (o.kind == trace::IpcKind::MsgQueue) j["messages"] = o.messages;
    if (o.kind == trace::IpcKind::SemSet) j["semaphores"] = o.messages;
    if (o.kind == trace::IpcKind::ShmSegment) j["attached"] = o.attached;
    j["orphan"] = orphan;
    j["reclaimed"] = o.reclaimed;
    if (!o.reclaim_error.empty()) j["reclaim_error"] = o.reclaim_error;
    list.push_back(j);
  }
  // Orphan journals whose objects are all gone have nothing left to say.
  if (args.reclaim && !selector) audit::reclaim_orphans();
  if (args.json) {
    std::cout << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << (shown ? table
                        : "no IPC objects" + std::string(selector ? " match" : " on this host") + "\n");
    if (orphan_count && !args.reclaim)
      std::cout << fmt::format("{} orphan(s): `ipcgrade audit --reclaim` removes them\n", orphan_count);
  }
  return failed ? kExitFailed : kExitPassed;
}

}  // namespace ipcgrade::cli
