// kura list: profiles, which have a stored key, and cached sessions with the time they have left.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "cli/commands.h"
#include "creds/store_items.h"
#include "util/fs.h"
#include "util/log.h"

namespace kura {

namespace {

// arn:aws:iam::123456789012:user/alice -> 123456789012:user/alice
std::string short_arn(const std::string& arn) {
  const std::string prefix = "arn:aws:iam::";
  return arn.rfind(prefix, 0) == 0 ? arn.substr(prefix.size()) : arn;
}

}  // namespace

void bind_list(FlagSet& flags, ListInput& input) {
  flags.flag("--profiles", &input.profiles_only, "only profile names");
  flags.flag("--credentials", &input.credentials_only, "only profiles with a stored key");
  flags.flag("--sessions", &input.sessions_only, "only cached sessions");
}

Result<void> run_list(Context& context, const ListInput& input) {
  auto files = context.files();
  if (!files) return files.error();
  std::vector<std::string> profiles = (*files)->profile_names();

  if (input.profiles_only) {
    for (const auto& name : profiles) context.out(name + "\n");
    return {};
  }
  auto store = context.keystore();
  if (!store) return store.error();
  auto items = (*store)->list();
  if (!items) return items.error();
  // Set aside by the store (changed, corrupted): said, never a reason to list nothing.
  if (auto unreadable = (*store)->unreadable(); unreadable && !unreadable->empty()) {
    log_warning(std::to_string(unreadable->size()) + " item(s) in the " + (*store)->name() +
                " store cannot be read (changed or corrupted); `kura clear` removes them");
  }
  std::set<std::string> stored;
  for (const auto& item : *items) {
    if (auto profile = profile_of_master_item(item)) stored.insert(*profile);
  }
  if (input.credentials_only) {
    for (const auto& name : stored) context.out(name + "\n");
    return {};
  }
  auto sessions = list_sessions(**store, std::nullopt);
  if (!sessions) return sessions.error();
  const TimePoint now = context.deps().clock.now();
  std::map<std::string, std::vector<std::string>> by_profile;
  for (const auto& [id, session] : *sessions) {
    auto left = std::chrono::duration_cast<Seconds>(*session.credentials.expiration - now);
    std::string state = left.count() > 0 ? format_duration(left) + " left" : "expired";
    by_profile[session.profile].push_back(session.description + ": " + state);
  }
  if (input.sessions_only) {
    for (const auto& [profile, lines] : by_profile) {
      for (const auto& line : lines) context.out(profile + "\t" + line + "\n");
    }
    return {};
  }

  // Every profile, and every stored key's (a key may be stored for a profile no file names), in order: both
  // lists are sorted, so a merge (10,000 profiles: no tree of names built, no map per column).
  std::vector<std::string> all;
  all.reserve(profiles.size() + stored.size());
  std::set_union(std::make_move_iterator(profiles.begin()), std::make_move_iterator(profiles.end()),
                 stored.begin(), stored.end(), std::back_inserter(all));
  size_t width = 7;
  for (const auto& name : all) width = std::max(width, name.size());
  // The credentials column: where the key is, and whose it is when `kura add` checked it with AWS.
  std::vector<std::string> credentials(all.size(), "-");
  size_t credentials_width = 20;
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string& name = all[i];
    if (stored.count(name)) {
      credentials[i] = "stored (" + (*store)->name() + ")";
      if (auto identity = load_key_identity(**store, name); identity && *identity) {
        credentials[i] += " " + short_arn((*identity)->arn);
      }
    } else if (const IniSection* section = (*files)->credentials_section(name);
               section && section->values.count("aws_access_key_id")) {
      credentials[i] = "plaintext file";
    }
    credentials_width = std::max(credentials_width, credentials[i].size());
  }
  auto padded = [](std::string& line, std::string_view text, size_t to) {
    line += text;
    if (text.size() < to) line.append(to - text.size(), ' ');
  };
  std::string table;  // written once
  table.reserve((all.size() + 1) * (width + credentials_width + 8));
  padded(table, "PROFILE", width + 2);
  padded(table, "CREDENTIALS", credentials_width + 2);
  table += "SESSIONS\n";
  for (size_t i = 0; i < all.size(); ++i) {
    padded(table, all[i], width + 2);
    padded(table, credentials[i], credentials_width + 2);
    if (auto it = by_profile.find(all[i]); it != by_profile.end()) {
      for (size_t line = 0; line < it->second.size(); ++line) table += (line ? "; " : "") + it->second[line];
    } else {
      table += "-";
    }
    table += "\n";
  }
  context.out(table);
  // Someone coming from aws-vault, before the import: where their keys are and how to bring them over.
  const std::string vault_dir =
      context.settings().aws_vault_file_dir.value_or(context.env().home() + "/.awsvault/keys");
  if (stored.empty() && directory_has_entries(vault_dir)) {
    log_note("no keys in kura's store yet, and aws-vault's store is in " + vault_dir +
             ": `kura import --from aws-vault` brings its keys over");
  }
  return {};
}

}  // namespace kura
