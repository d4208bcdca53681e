// Secret: a move-only string that is wiped when it dies and never prints its contents.
#pragma once

#include <string>
#include <string_view>

namespace kura {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : m_value(std::move(value)) {}
  explicit Secret(std::string_view value) : m_value(value) {}
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { wipe(); }

  // An explicit copy, for the rare place that needs two live copies (e.g. a child environment).
  Secret clone() const { return Secret(std::string_view(m_value)); }
  std::string_view view() const { return m_value; }
  const char* c_str() const { return m_value.c_str(); }
  bool empty() const { return m_value.empty(); }
  size_t size() const { return m_value.size(); }
  void wipe();

 private:
  std::string m_value;
};

// Wipes the whole buffer of a string (including its small-string storage), then empties it.
void wipe_string(std::string& value);

// "****" plus the last four characters of an access key id; never more.
std::string mask_key_id(std::string_view access_key_id);

}  // namespace kura
