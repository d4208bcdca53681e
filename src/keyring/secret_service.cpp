// The Secret Service (GNOME Keyring, KeePassXC, KWallet's bridge) through libsecret, loaded with dlopen:
// libsecret brings glib and gio, whose start-up cost every kura run would otherwise pay. libsecret negotiates
// an encrypted D-Bus session (dh-ietf1024-sha256-aes128-cbc-pkcs7) whenever the service offers one, so
// secrets do not cross the bus in plain (aws-vault's do).
#include <libsecret/secret.h>

#include <mutex>

#include "util/dynamic_library.h"

#include "keyring/backends.h"
#include "util/log.h"

namespace kura {

namespace {

// Every function used, listed once: declared as members and bound by name from the same list.
#define KURA_LIBSECRET_SYMBOLS(X)         \
  X(secret_password_storev_sync)          \
  X(secret_password_lookupv_sync)         \
  X(secret_password_clearv_sync)          \
  X(secret_password_searchv_sync)         \
  X(secret_password_free)                 \
  X(secret_retrievable_get_attributes)    \
  X(secret_service_get_sync)              \
  X(secret_service_load_collections_sync) \
  X(secret_service_get_collections)       \
  X(secret_collection_get_label)          \
  X(secret_collection_create_sync)        \
  X(g_dbus_proxy_get_object_path)         \
  X(g_hash_table_new)                     \
  X(g_hash_table_insert)                  \
  X(g_hash_table_lookup)                  \
  X(g_hash_table_unref)                   \
  X(g_str_hash)                           \
  X(g_str_equal)                          \
  X(g_error_free)                         \
  X(g_list_free_full)                     \
  X(g_object_unref)                       \
  X(g_free)                               \
  X(secret_collection_load_items_sync)    \
  X(secret_collection_get_items)          \
  X(secret_item_get_label)                \
  X(secret_item_get_locked)               \
  X(secret_item_load_secret_sync)         \
  X(secret_item_get_secret)               \
  X(secret_value_get_text)                \
  X(secret_value_unref)

struct LibSecret {
#define KURA_FN(name) decltype(&::name) name = nullptr;  // NOLINT(bugprone-macro-parentheses): a declaration
  KURA_LIBSECRET_SYMBOLS(KURA_FN)
#undef KURA_FN

  static Result<const LibSecret*> load() {
    static LibSecret lib;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
      DynamicLibrary library("libsecret-1.so.0");
#define KURA_BIND(name) library.bind(lib.name, #name);
      KURA_LIBSECRET_SYMBOLS(KURA_BIND)
#undef KURA_BIND
      failure = library.failure();
    });
    if (!failure.empty()) {
      return make_error("secret service: cannot load libsecret: " + failure,
                        "install it: apt-get install libsecret-1-0");
    }
    return &lib;
  }
};

constexpr SecretSchema item_schema(SecretSchemaFlags flags) {
  return {"io.kura.Item",
          flags,
          {{"kind", SECRET_SCHEMA_ATTRIBUTE_STRING}, {"item", SECRET_SCHEMA_ATTRIBUTE_STRING}, {nullptr, {}}},
          0,
          nullptr,
          nullptr,
          nullptr,
          nullptr,
          nullptr,
          nullptr,
          nullptr};
}

const SecretSchema* schema() {
  static const SecretSchema k_schema = item_schema(SECRET_SCHEMA_NONE);
  return &k_schema;
}

// The same attributes without matching the schema name: a locked gnome-keyring cannot match xdg:schema.
const SecretSchema* schema_by_attributes() {
  static const SecretSchema k_schema = item_schema(SECRET_SCHEMA_DONT_MATCH_NAME);
  return &k_schema;
}

Error service_error(const LibSecret& lib, GError* error, const std::string& what) {
  std::string message = error && error->message ? error->message : "unknown error";
  if (error) lib.g_error_free(error);
  std::string hint;
  if (message.find("ocked") != std::string::npos || message.find("rompt") != std::string::npos) {
    hint =
        "the keyring is locked and could not be unlocked here (no prompt possible); unlock it in your "
        "desktop session, or use --backend pass, kernel or file";
  } else if (message.find("ServiceUnknown") != std::string::npos ||
             message.find("bus") != std::string::npos) {
    hint = "no Secret Service answers on the session bus; use --backend pass, kernel or file";
  }
  return make_error("secret service: cannot " + what + ": " + message, hint);
}

std::string kind_of(const std::string& item) {
  size_t colon = item.find(':');
  return colon == std::string::npos ? "other" : item.substr(0, colon);
}

class SecretServiceKeystore final : public Keystore {
 public:
  explicit SecretServiceKeystore(std::string collection) : m_collection(std::move(collection)) {}
  std::string name() const override { return "secret-service"; }

  Result<std::optional<Secret>> get(const std::string& item) override {
    auto loaded = LibSecret::load();
    if (!loaded) return loaded.error();
    const LibSecret& lib = **loaded;
    GHashTable* attributes = lookup_attributes(lib, item);
    GError* error = nullptr;
    gchar* value = lib.secret_password_lookupv_sync(schema(), attributes, nullptr, &error);
    lib.g_hash_table_unref(attributes);
    if (error) return service_error(lib, error, "read '" + item + "'");
    if (!value) {
      // libsecret answers "nothing" when the item exists but its collection stayed locked (no prompt
      // possible): look without unlocking, so that a locked keyring is never taken for a missing key.
      if (exists_locked(lib, item)) {
        return make_error(
            "secret service: the keyring holding '" + item + "' is locked and could not be unlocked here",
            "unlock it in your desktop session (no prompt is possible here), or use --backend pass, "
            "kernel or file");
      }
      return std::optional<Secret>();
    }
    Secret secret{std::string_view(value)};
    lib.secret_password_free(value);  // wipes, then frees
    return std::optional<Secret>(std::move(secret));
  }

  Result<void> set(const std::string& item, std::string_view value, Lifetime /*lifetime*/) override {
    auto loaded = LibSecret::load();
    if (!loaded) return loaded.error();
    const LibSecret& lib = **loaded;
    std::string kind = kind_of(item);
    GHashTable* attributes = lib.g_hash_table_new(lib.g_str_hash, lib.g_str_equal);
    lib.g_hash_table_insert(attributes, const_cast<char*>("kind"), const_cast<char*>(kind.c_str()));
    lib.g_hash_table_insert(attributes, const_cast<char*>("item"), const_cast<char*>(item.c_str()));
    std::string copy(value);  // libsecret wants a NUL-terminated string
    GError* error = nullptr;
    std::string label = "kura " + item;
    gboolean ok = lib.secret_password_storev_sync(schema(), attributes, collection_path(lib).c_str(),
                                                  label.c_str(), copy.c_str(), nullptr, &error);
    wipe_string(copy);
    lib.g_hash_table_unref(attributes);
    if (!ok || error) return service_error(lib, error, "store '" + item + "'");
    return {};
  }

  Result<bool> remove(const std::string& item) override {
    auto loaded = LibSecret::load();
    if (!loaded) return loaded.error();
    const LibSecret& lib = **loaded;
    GHashTable* attributes = lookup_attributes(lib, item);
    GError* error = nullptr;
    gboolean removed = lib.secret_password_clearv_sync(schema(), attributes, nullptr, &error);
    lib.g_hash_table_unref(attributes);
    if (error) return service_error(lib, error, "remove '" + item + "'");
    return removed != 0;
  }

  Result<std::vector<std::string>> list() override {
    auto loaded = LibSecret::load();
    if (!loaded) return loaded.error();
    const LibSecret& lib = **loaded;
    GHashTable* attributes = lib.g_hash_table_new(lib.g_str_hash, lib.g_str_equal);
    GError* error = nullptr;
    GList* found = lib.secret_password_searchv_sync(schema(), attributes, SECRET_SEARCH_ALL, nullptr, &error);
    lib.g_hash_table_unref(attributes);
    if (error) return service_error(lib, error, "list items");
    std::vector<std::string> items;
    for (GList* node = found; node; node = node->next) {
      GHashTable* item_attributes =
          lib.secret_retrievable_get_attributes(static_cast<SecretRetrievable*>(node->data));
      if (!item_attributes) continue;
      if (auto* name = static_cast<const char*>(lib.g_hash_table_lookup(item_attributes, "item"))) {
        items.emplace_back(name);
      }
      lib.g_hash_table_unref(item_attributes);
    }
    lib.g_list_free_full(found, lib.g_object_unref);
    return items;
  }

 private:
  static bool exists_locked(const LibSecret& lib, const std::string& item) {
    GHashTable* attributes = lookup_attributes(lib, item);
    GError* error = nullptr;
    GList* found = lib.secret_password_searchv_sync(schema_by_attributes(), attributes, SECRET_SEARCH_ALL,
                                                    nullptr, &error);
    lib.g_hash_table_unref(attributes);
    bool exists = found != nullptr;
    if (error) {
      // gnome-keyring finds the item but refuses it: "Cannot get secret of a locked object".
      exists =
          exists || std::string(error->message ? error->message : "").find("locked") != std::string::npos;
      lib.g_error_free(error);
    }
    lib.g_list_free_full(found, lib.g_object_unref);
    return exists;
  }

  static GHashTable* lookup_attributes(const LibSecret& lib, const std::string& item) {
    GHashTable* attributes = lib.g_hash_table_new(lib.g_str_hash, lib.g_str_equal);
    lib.g_hash_table_insert(attributes, const_cast<char*>("item"), const_cast<char*>(item.c_str()));
    return attributes;
  }

  // The object path of the `kura` collection, created on first use; the default collection where the service
  // cannot create one (creating asks the user for a password, impossible without a desktop prompt).
  const std::string& collection_path(const LibSecret& lib) {
    if (!m_collection_path.empty()) return m_collection_path;
    m_collection_path = SECRET_COLLECTION_DEFAULT;
    GError* error = nullptr;
    SecretService* service = lib.secret_service_get_sync(SECRET_SERVICE_LOAD_COLLECTIONS, nullptr, &error);
    if (!service) {
      if (error) lib.g_error_free(error);
      return m_collection_path;
    }
    GList* collections = lib.secret_service_get_collections(service);
    for (GList* node = collections; node; node = node->next) {
      auto* collection = static_cast<SecretCollection*>(node->data);
      gchar* label = lib.secret_collection_get_label(collection);
      if (label && m_collection == label) {
        m_collection_path = lib.g_dbus_proxy_get_object_path(reinterpret_cast<GDBusProxy*>(collection));
      }
      lib.g_free(label);
    }
    lib.g_list_free_full(collections, lib.g_object_unref);
    if (m_collection_path == SECRET_COLLECTION_DEFAULT) {
      SecretCollection* created = lib.secret_collection_create_sync(
          service, m_collection.c_str(), nullptr, SECRET_COLLECTION_CREATE_NONE, nullptr, &error);
      if (created) {
        m_collection_path = lib.g_dbus_proxy_get_object_path(reinterpret_cast<GDBusProxy*>(created));
        lib.g_object_unref(created);
      } else {
        log_debug("secret service: cannot create collection '" + m_collection + "' (" +
                  (error && error->message ? error->message : "?") + "); using the default collection");
        if (error) lib.g_error_free(error);
      }
    }
    lib.g_object_unref(service);
    return m_collection_path;
  }

  std::string m_collection;
  std::string m_collection_path;
};

}  // namespace

Result<void> probe_secret_service() {
  auto lib = LibSecret::load();
  if (!lib) return lib.error();
  GError* error = nullptr;
  SecretService* service = (*lib)->secret_service_get_sync(SECRET_SERVICE_NONE, nullptr, &error);
  if (!service) return service_error(**lib, error, "connect");
  gboolean loaded = (*lib)->secret_service_load_collections_sync(service, nullptr, &error);
  (*lib)->g_object_unref(service);
  if (!loaded) return service_error(**lib, error, "talk to the service");
  return {};
}

Result<std::vector<std::pair<std::string, Secret>>> read_secret_service_collection(const std::string& name) {
  auto loaded = LibSecret::load();
  if (!loaded) return loaded.error();
  const LibSecret& lib = **loaded;
  GError* error = nullptr;
  SecretService* service = lib.secret_service_get_sync(
      static_cast<SecretServiceFlags>(SECRET_SERVICE_OPEN_SESSION | SECRET_SERVICE_LOAD_COLLECTIONS), nullptr,
      &error);
  if (!service) return service_error(lib, error, "connect");
  std::vector<std::pair<std::string, Secret>> items;
  std::optional<Error> failure;
  bool found = false;
  GList* collections = lib.secret_service_get_collections(service);
  const std::string suffix = "/collection/" + name;
  for (GList* node = collections; node && !failure; node = node->next) {
    auto* collection = static_cast<SecretCollection*>(node->data);
    std::string path = lib.g_dbus_proxy_get_object_path(reinterpret_cast<GDBusProxy*>(collection));
    gchar* label = lib.secret_collection_get_label(collection);
    bool match =
        (label && name == label) || (path.size() >= suffix.size() &&
                                     path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0);
    lib.g_free(label);
    if (!match) continue;
    found = true;
    if (!lib.secret_collection_load_items_sync(collection, nullptr, &error)) {
      failure = service_error(lib, error, "load the items of collection '" + name + "'");
      break;
    }
    GList* list = lib.secret_collection_get_items(collection);
    for (GList* entry = list; entry; entry = entry->next) {
      auto* item = static_cast<SecretItem*>(entry->data);
      if (lib.secret_item_get_locked(item)) {
        failure =
            make_error("secret service: collection '" + name + "' is locked",
                       "unlock it in your desktop session (or with the keyring's own tools) and run again");
        break;
      }
      if (!lib.secret_item_load_secret_sync(item, nullptr, &error)) {
        failure = service_error(lib, error, "read an item of '" + name + "'");
        break;
      }
      SecretValue* value = lib.secret_item_get_secret(item);
      gchar* item_label = lib.secret_item_get_label(item);
      const gchar* text = value ? lib.secret_value_get_text(value) : nullptr;
      if (item_label && text) items.emplace_back(item_label, Secret(std::string_view(text)));
      lib.g_free(item_label);
      if (value) lib.secret_value_unref(value);
    }
    lib.g_list_free_full(list, lib.g_object_unref);
  }
  lib.g_list_free_full(collections, lib.g_object_unref);
  lib.g_object_unref(service);
  if (failure) return *failure;
  if (!found) return make_error("secret service: no collection '" + name + "'", "aws-vault's is 'awsvault'");
  return items;
}

// libsecret is loaded on first use: a run that only needs sessions from another backend never pays for glib.
Result<std::unique_ptr<Keystore>> open_secret_service(const BackendOptions& options) {
  return std::unique_ptr<Keystore>(std::make_unique<SecretServiceKeystore>(options.collection));
}

}  // namespace kura
