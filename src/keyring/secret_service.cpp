// The Secret Service (GNOME Keyring, KeePassXC, KWallet's bridge) through libsecret, loaded with dlopen:
// libsecret brings glib and gio, whose start-up cost every kura run would otherwise pay. libsecret negotiates
// an encrypted D-Bus session (dh-ietf1024-sha256-aes128-cbc-pkcs7) whenever the service offers one, so
// secrets do not cross the bus in plain (aws-vault's do).
#include <dlfcn.h>
#include <libsecret/secret.h>

#include <mutex>

#include "keyring/backends.h"
#include "util/log.h"

namespace kura {

namespace {

struct LibSecret {
#define KURA_FN(name) decltype(&::name) name = nullptr
  KURA_FN(secret_password_storev_sync);
  KURA_FN(secret_password_lookupv_sync);
  KURA_FN(secret_password_clearv_sync);
  KURA_FN(secret_password_searchv_sync);
  KURA_FN(secret_password_free);
  KURA_FN(secret_retrievable_get_attributes);
  KURA_FN(secret_service_get_sync);
  KURA_FN(secret_service_load_collections_sync);
  KURA_FN(secret_service_get_collections);
  KURA_FN(secret_collection_get_label);
  KURA_FN(secret_collection_create_sync);
  KURA_FN(g_dbus_proxy_get_object_path);
  KURA_FN(g_hash_table_new);
  KURA_FN(g_hash_table_insert);
  KURA_FN(g_hash_table_lookup);
  KURA_FN(g_hash_table_unref);
  KURA_FN(g_str_hash);
  KURA_FN(g_str_equal);
  KURA_FN(g_error_free);
  KURA_FN(g_list_free_full);
  KURA_FN(g_object_unref);
  KURA_FN(g_free);
#undef KURA_FN

  static Result<const LibSecret*> load() {
    static LibSecret lib;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
      void* handle = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        failure = dlerror();
        return;
      }
      auto bind = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
        if (!fn && failure.empty()) failure = std::string("missing symbol ") + name;
      };
#define KURA_BIND(name) bind(lib.name, #name)
      KURA_BIND(secret_password_storev_sync);
      KURA_BIND(secret_password_lookupv_sync);
      KURA_BIND(secret_password_clearv_sync);
      KURA_BIND(secret_password_searchv_sync);
      KURA_BIND(secret_password_free);
      KURA_BIND(secret_retrievable_get_attributes);
      KURA_BIND(secret_service_get_sync);
      KURA_BIND(secret_service_load_collections_sync);
      KURA_BIND(secret_service_get_collections);
      KURA_BIND(secret_collection_get_label);
      KURA_BIND(secret_collection_create_sync);
      KURA_BIND(g_dbus_proxy_get_object_path);
      KURA_BIND(g_hash_table_new);
      KURA_BIND(g_hash_table_insert);
      KURA_BIND(g_hash_table_lookup);
      KURA_BIND(g_hash_table_unref);
      KURA_BIND(g_str_hash);
      KURA_BIND(g_str_equal);
      KURA_BIND(g_error_free);
      KURA_BIND(g_list_free_full);
      KURA_BIND(g_object_unref);
      KURA_BIND(g_free);
#undef KURA_BIND
    });
    if (!failure.empty()) {
      return make_error("secret service: cannot load libsecret: " + failure,
                        "install it: apt-get install libsecret-1-0");
    }
    return &lib;
  }
};

const SecretSchema* schema() {
  static const SecretSchema k_schema = {
      "io.kura.Item",
      SECRET_SCHEMA_NONE,
      {{"kind", SECRET_SCHEMA_ATTRIBUTE_STRING}, {"item", SECRET_SCHEMA_ATTRIBUTE_STRING}, {nullptr, {}}},
      0,
      nullptr,
      nullptr,
      nullptr,
      nullptr,
      nullptr,
      nullptr,
      nullptr};
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
  SecretServiceKeystore(const LibSecret& lib, std::string collection)
      : m_lib(lib), m_collection(std::move(collection)) {}
  std::string name() const override { return "secret-service"; }

  Result<std::optional<Secret>> get(const std::string& item) override {
    GHashTable* attributes = lookup_attributes(item);
    GError* error = nullptr;
    gchar* value = m_lib.secret_password_lookupv_sync(schema(), attributes, nullptr, &error);
    m_lib.g_hash_table_unref(attributes);
    if (error) return service_error(m_lib, error, "read '" + item + "'");
    if (!value) return std::optional<Secret>();
    Secret secret{std::string_view(value)};
    m_lib.secret_password_free(value);  // wipes, then frees
    return std::optional<Secret>(std::move(secret));
  }

  Result<void> set(const std::string& item, std::string_view value, Lifetime /*lifetime*/) override {
    std::string kind = kind_of(item);
    GHashTable* attributes = m_lib.g_hash_table_new(m_lib.g_str_hash, m_lib.g_str_equal);
    m_lib.g_hash_table_insert(attributes, const_cast<char*>("kind"), const_cast<char*>(kind.c_str()));
    m_lib.g_hash_table_insert(attributes, const_cast<char*>("item"), const_cast<char*>(item.c_str()));
    std::string copy(value);  // libsecret wants a NUL-terminated string
    GError* error = nullptr;
    std::string label = "kura " + item;
    gboolean ok = m_lib.secret_password_storev_sync(schema(), attributes, collection_path().c_str(),
                                                    label.c_str(), copy.c_str(), nullptr, &error);
    wipe_string(copy);
    m_lib.g_hash_table_unref(attributes);
    if (!ok || error) return service_error(m_lib, error, "store '" + item + "'");
    return {};
  }

  Result<bool> remove(const std::string& item) override {
    GHashTable* attributes = lookup_attributes(item);
    GError* error = nullptr;
    gboolean removed = m_lib.secret_password_clearv_sync(schema(), attributes, nullptr, &error);
    m_lib.g_hash_table_unref(attributes);
    if (error) return service_error(m_lib, error, "remove '" + item + "'");
    return removed != 0;
  }

  Result<std::vector<std::string>> list() override {
    GHashTable* attributes = m_lib.g_hash_table_new(m_lib.g_str_hash, m_lib.g_str_equal);
    GError* error = nullptr;
    GList* found =
        m_lib.secret_password_searchv_sync(schema(), attributes, SECRET_SEARCH_ALL, nullptr, &error);
    m_lib.g_hash_table_unref(attributes);
    if (error) return service_error(m_lib, error, "list items");
    std::vector<std::string> items;
    for (GList* node = found; node; node = node->next) {
      GHashTable* item_attributes =
          m_lib.secret_retrievable_get_attributes(static_cast<SecretRetrievable*>(node->data));
      if (!item_attributes) continue;
      if (auto* name = static_cast<const char*>(m_lib.g_hash_table_lookup(item_attributes, "item"))) {
        items.emplace_back(name);
      }
      m_lib.g_hash_table_unref(item_attributes);
    }
    m_lib.g_list_free_full(found, m_lib.g_object_unref);
    return items;
  }

 private:
  GHashTable* lookup_attributes(const std::string& item) const {
    GHashTable* attributes = m_lib.g_hash_table_new(m_lib.g_str_hash, m_lib.g_str_equal);
    m_lib.g_hash_table_insert(attributes, const_cast<char*>("item"), const_cast<char*>(item.c_str()));
    return attributes;
  }

  // The object path of the `kura` collection, created on first use; the default collection where the service
  // cannot create one (creating asks the user for a password, impossible without a desktop prompt).
  const std::string& collection_path() {
    if (!m_collection_path.empty()) return m_collection_path;
    m_collection_path = SECRET_COLLECTION_DEFAULT;
    GError* error = nullptr;
    SecretService* service = m_lib.secret_service_get_sync(SECRET_SERVICE_LOAD_COLLECTIONS, nullptr, &error);
    if (!service) {
      if (error) m_lib.g_error_free(error);
      return m_collection_path;
    }
    GList* collections = m_lib.secret_service_get_collections(service);
    for (GList* node = collections; node; node = node->next) {
      auto* collection = static_cast<SecretCollection*>(node->data);
      gchar* label = m_lib.secret_collection_get_label(collection);
      if (label && m_collection == label) {
        m_collection_path = m_lib.g_dbus_proxy_get_object_path(reinterpret_cast<GDBusProxy*>(collection));
      }
      m_lib.g_free(label);
    }
    m_lib.g_list_free_full(collections, m_lib.g_object_unref);
    if (m_collection_path == SECRET_COLLECTION_DEFAULT) {
      SecretCollection* created = m_lib.secret_collection_create_sync(
          service, m_collection.c_str(), nullptr, SECRET_COLLECTION_CREATE_NONE, nullptr, &error);
      if (created) {
        m_collection_path = m_lib.g_dbus_proxy_get_object_path(reinterpret_cast<GDBusProxy*>(created));
        m_lib.g_object_unref(created);
      } else {
        log_debug("secret service: cannot create collection '" + m_collection + "' (" +
                  (error && error->message ? error->message : "?") + "); using the default collection");
        if (error) m_lib.g_error_free(error);
      }
    }
    m_lib.g_object_unref(service);
    return m_collection_path;
  }

  const LibSecret& m_lib;
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

Result<std::unique_ptr<Keystore>> open_secret_service(const BackendOptions& options) {
  auto lib = LibSecret::load();
  if (!lib) return lib.error();
  return std::unique_ptr<Keystore>(std::make_unique<SecretServiceKeystore>(**lib, options.collection));
}

}  // namespace kura
