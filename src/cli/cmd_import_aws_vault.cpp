// kura import --from aws-vault: reads aws-vault's own stores — its file backend (one JWE per item, encrypted
// with PBES2-HS256+A128KW and A256GCM under the user's passphrase) or its pass entries — and stores each
// long-term key as kura's, verified by reading it back. aws-vault's store is left as it is.
#include <dirent.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "creds/store_items.h"
#include "crypto/hash.h"
#include "crypto/jwe.h"
#include "process/spawn.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

struct VaultItem {
  std::string key;
  Secret json;  // aws-vault's keyring.Item as JSON
};

Result<std::vector<VaultItem>> read_vault_files(Context& context, const std::string& directory) {
  DIR* dir = ::opendir(directory.c_str());
  if (!dir)
    return make_error("no aws-vault file store at " + directory,
                      "pass --aws-vault-dir, or set AWS_VAULT_FILE_DIR");
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::optional<Secret> passphrase;
  if (context.settings().aws_vault_file_passphrase)
    passphrase = context.settings().aws_vault_file_passphrase->clone();
  std::vector<VaultItem> items;
  for (const std::string& name : names) {
    auto token = read_file(directory + "/" + name);
    if (!token) return token.error();
    if (!*token) continue;
    if (!passphrase) {
      auto asked =
          context.deps().prompt.ask_secret("Passphrase of aws-vault's file store (" + directory + "): ");
      if (!asked) return asked.error();
      passphrase = std::move(*asked);
    }
    auto plain = jwe_decrypt_pbes2(std::string(trim(**token)), passphrase->view());
    if (!plain) {
      return plain.error().context(directory + "/" + name);
    }
    items.push_back({name, std::move(*plain)});
  }
  return items;
}

Result<std::vector<VaultItem>> read_vault_pass(Context& context, const std::string& prefix) {
  const BackendOptions& options = context.settings().keystore.backends;
  if (auto usable = probe_pass(options); !usable) return usable.error();
  std::string store = *options.pass_dir;
  std::string root = prefix.empty() ? store : store + "/" + prefix;
  std::vector<VaultItem> items;
  DIR* dir = ::opendir(root.c_str());
  if (!dir)
    return make_error("no aws-vault entries under " + root,
                      "pass --aws-vault-prefix (AWS_VAULT_PASS_PREFIX)");
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    std::string file = entry->d_name;
    if (file.size() > 4 && file.compare(file.size() - 4, 4, ".gpg") == 0)
      names.push_back(file.substr(0, file.size() - 4));
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    std::string entry = prefix.empty() ? name : prefix + "/" + name;
    auto shown = spawn({"pass", "show", entry}, {}, {{"PASSWORD_STORE_DIR", store}});
    if (!shown) return shown.error();
    if (shown->exit_code != 0) return make_error("pass show " + entry + ": " + printable(shown->err, 300));
    items.push_back({name, Secret(std::move(shown->out))});
  }
  return items;
}

// aws-vault's item JSON: {"Key": ..., "Data": base64 of {"AccessKeyID", "SecretAccessKey", "SessionToken",
// ...}}. Only long-term keys are taken: sessions and SSO tokens are not worth moving.
std::optional<Credentials> long_term_key_of(const VaultItem& item) {
  try {
    auto outer = nlohmann::json::parse(item.json.view());
    auto data = base64_decode(outer.at("Data").get<std::string>());
    wipe_string(outer.at("Data").get_ref<std::string&>());
    if (!data) return std::nullopt;
    auto inner = nlohmann::json::parse(*data);
    wipe_string(*data);
    Credentials key;
    key.access_key_id = inner.value("AccessKeyID", "");
    auto& secret = inner.at("SecretAccessKey").get_ref<std::string&>();
    key.secret_access_key = Secret(std::string_view(secret));
    wipe_string(secret);
    bool temporary = !inner.value("SessionToken", "").empty() || inner.value("CanExpire", false);
    if (key.access_key_id.empty() || key.secret_access_key.empty() || temporary) return std::nullopt;
    return key;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Result<void> run_import_aws_vault(Context& context, const ImportInput& input) {
  Result<std::vector<VaultItem>> items = make_error("unreachable");
  if (input.aws_vault_backend == "file") {
    std::string directory = input.aws_vault_dir.value_or(
        context.settings().aws_vault_file_dir.value_or(context.env().home() + "/.awsvault/keys"));
    items = read_vault_files(context, directory);
  } else if (input.aws_vault_backend == "pass") {
    items = read_vault_pass(
        context, input.aws_vault_prefix.value_or(context.settings().aws_vault_pass_prefix.value_or("")));
  } else if (input.aws_vault_backend == "secret-service") {
    auto read = read_secret_service_collection(input.aws_vault_collection);
    if (!read) {
      items = read.error();
    } else {
      std::vector<VaultItem> found;
      for (auto& [label, secret] : *read) found.push_back({label, std::move(secret)});
      items = std::move(found);
    }
  } else {
    return make_error("--aws-vault-backend: '" + input.aws_vault_backend + "' is not supported",
                      "file, pass or secret-service");
  }
  if (!items) return items.error().context("import --from aws-vault");

  std::vector<std::pair<std::string, Credentials>> keys;
  size_t skipped = 0;
  for (const VaultItem& item : *items) {
    if (!input.profiles.empty() &&
        std::find(input.profiles.begin(), input.profiles.end(), item.key) == input.profiles.end()) {
      continue;
    }
    if (auto key = long_term_key_of(item)) {
      keys.emplace_back(item.key, std::move(*key));
    } else {
      ++skipped;
    }
  }
  if (keys.empty())
    return make_error("import --from aws-vault: no long-term keys found (" + std::to_string(skipped) +
                      " other item(s))");
  if (input.dry_run) {
    for (const auto& [profile, key] : keys)
      context.out("would import " + profile + " (" + mask_key_id(key.access_key_id) + ")\n");
    return {};
  }
  auto store = context.keystore();
  if (!store) return store.error();
  for (const auto& [profile, key] : keys) {
    if (auto stored = store_master_key(**store, profile, key); !stored)
      return stored.error().context("import " + profile);
    if (auto back = master_key_reads_back(**store, profile, key); !back || !*back) {
      return make_error("import " + profile + ": the stored copy does not read back");
    }
    if (auto dropped = remove_sessions_of(**store, profile); !dropped) return dropped.error();
    log_note("imported aws-vault's key for '" + profile + "' (" + mask_key_id(key.access_key_id) +
             ") into the " + (*store)->name() + " store");
  }
  if (skipped)
    log_note("skipped " + std::to_string(skipped) + " aws-vault item(s) that are sessions or tokens");
  log_note(
      "aws-vault's store was not changed; remove its keys with `aws-vault remove` once kura works for you");
  return {};
}

}  // namespace kura
