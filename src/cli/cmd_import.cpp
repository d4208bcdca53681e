// kura import: moves plaintext long-term keys out of ~/.aws/credentials into the keystore. Each key is
// stored, read back and compared before it is removed from the file; the file is rewritten atomically, so no
// copy with the plaintext keys is left behind.
#include <algorithm>

#include "cli/commands.h"
#include "cli/keys.h"
#include "config/ini_file.h"
#include "creds/store_items.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

bool has(const IniSection& section, const char* key) {
  auto it = section.values.find(key);
  return it != section.values.end() && !it->second.empty();
}

}  // namespace

void bind_import(FlagSet& flags, ImportInput& input) {
  flags.positionals("SECTION", &input.profiles, "sections to import (e.g. dev-long-term)");
  flags.flag("--all", &input.all, "every section with a long-term key");
  flags.option("--as", "PROFILE", &input.as, "store the one SECTION's key under this profile name");
  flags.flag("--dry-run", &input.dry_run, "only say what would be imported");
  flags.option("--from", "SOURCE", &input.from, "aws-vault: import aws-vault's stored keys");
  flags.option("--aws-vault-backend", "NAME", &input.aws_vault_backend,
               "aws-vault's backend: file, pass or secret-service");
  flags.option("--aws-vault-dir", "DIR", &input.aws_vault_dir, "aws-vault's file store (~/.awsvault/keys)");
  flags.option("--aws-vault-prefix", "PREFIX", &input.aws_vault_prefix, "aws-vault's pass prefix");
  flags.option("--aws-vault-collection", "NAME", &input.aws_vault_collection,
               "aws-vault's Secret Service collection (awsvault)");
}

Result<void> run_import(Context& context, const ImportInput& input) {
  if (input.from) {
    if (*input.from != "aws-vault")
      return make_error("--from: '" + *input.from + "' is not known", "--from aws-vault");
    return run_import_aws_vault(context, input);
  }
  auto files = context.files();
  if (!files) return files.error();
  const IniDocument& credentials = (*files)->credentials;
  const std::string& path = (*files)->credentials_path;

  std::vector<std::string> candidates;
  for (const IniSection& section : credentials.sections()) {
    if (holds_long_term_key(section)) candidates.push_back(section.name);
  }
  std::vector<std::string> chosen = input.all ? candidates : input.profiles;
  if (input.as && chosen.size() != 1) {
    return make_error("import --as: name exactly one SECTION",
                      "e.g. `kura import dev-long-term --as dev-user`");
  }
  // Where each section's key goes: its own name, or --as.
  auto target = [&](const std::string& section) { return input.as.value_or(section); };
  if (chosen.empty()) {
    return make_error("import: name the profiles to import, or use --all",
                      candidates.empty() ? "no section of " + path + " holds a long-term key"
                                         : "sections with long-term keys: " + join(candidates, ", "));
  }
  for (const std::string& name : chosen) {
    const IniSection* section = credentials.find(name);
    if (!section) return make_error("import: no section [" + name + "] in " + path);
    if (has(*section, "aws_session_token") || has(*section, "aws_security_token")) {
      return make_error("import: [" + name + "] holds temporary credentials (aws_session_token)",
                        "only long-term keys are imported; temporary ones expire anyway");
    }
    if (!holds_long_term_key(*section)) {
      return make_error("import: [" + name + "] in " + path +
                        " has no aws_access_key_id and aws_secret_access_key");
    }
  }
  if (input.dry_run) {
    for (const std::string& name : chosen) {
      context.out("would import [" + name + "] (" +
                  mask_key_id(credentials.find(name)->values.at("aws_access_key_id")) + ")" +
                  (input.as ? " as '" + *input.as + "'" : "") + "\n");
    }
    return {};
  }

  auto store = context.keystore();
  if (!store) return store.error();
  if (input.as) {
    auto taken = load_master_key(**store, *input.as);
    if (!taken) return taken.error();
    if (*taken) {
      return make_error("import --as: profile '" + *input.as + "' already has a stored key",
                        "`kura remove " + *input.as + "` first, or choose another name");
    }
  }
  for (const std::string& section_name : chosen) {
    const std::string name = target(section_name);
    const IniSection& section = *credentials.find(section_name);
    Credentials key;
    key.access_key_id = section.values.at("aws_access_key_id");
    key.secret_access_key = Secret(std::string_view(section.values.at("aws_secret_access_key")));
    if (auto stored = store_master_key(**store, name, key); !stored)
      return stored.error().context("import [" + name + "]");
    auto back = master_key_reads_back(**store, name, key);
    if (!back) return back.error().context("import [" + name + "]");
    if (!*back) {
      return make_error("import [" + name +
                        "]: the stored copy does not read back; the file was not changed");
    }
    if (auto dropped = remove_sessions_of(**store, name); !dropped) return dropped.error();
  }

  // Remove the keys under the editor's lock, from the file as it is now; refuse if a key changed meanwhile.
  auto edited = edit_aws_file(path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
    for (const std::string& name : chosen) {
      const IniSection* now = doc.find(name);
      const IniSection* before = credentials.find(name);
      if (!now || now->values.count("aws_access_key_id") == 0 ||
          now->values.at("aws_access_key_id") != before->values.at("aws_access_key_id") ||
          now->values.at("aws_secret_access_key") != before->values.at("aws_secret_access_key")) {
        return make_error("import [" + name + "]: " + path +
                          " changed while importing; run the import again");
      }
      for (const char* key : {"aws_access_key_id", "aws_secret_access_key"}) {
        if (auto removed = doc.remove_key(name, key); !removed) return removed.error();
      }
      if (doc.find(name)->values.empty()) {
        if (auto removed = doc.remove_section(name); !removed) return removed.error();
      }
    }
    return true;
  });
  if (!edited) return edited;
  for (const std::string& name : chosen) {
    log_note("imported [" + name + "] into the " + (*store)->name() + " store" +
             (input.as ? " as '" + *input.as + "'" : "") + " and removed its key from " + path);
  }
  return {};
}

}  // namespace kura
