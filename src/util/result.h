// Result<T>: a value or an Error that carries a message, a hint, and context added on the way up.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kura {

struct Error {
  std::string message;
  std::string hint;

  // Prefixes context, e.g. "profile 'prod': " + "assume role: AccessDenied: ...".
  Error context(const std::string& where) && {
    message = where + ": " + message;
    return std::move(*this);
  }
  Error context(const std::string& where) const& {
    Error copy = *this;
    copy.message = where + ": " + copy.message;
    return copy;
  }
};

inline Error make_error(std::string message, std::string hint = {}) {
  return Error{std::move(message), std::move(hint)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_value(std::move(value)) {}      // NOLINT: implicit by design, like std::expected
  Result(Error error) : m_value(std::move(error)) {}  // NOLINT

  bool ok() const { return m_value.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_value); }
  const T& value() const& { return std::get<0>(m_value); }
  T&& value() && { return std::get<0>(std::move(m_value)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(m_value); }
  Error&& error() && { return std::get<1>(std::move(m_value)); }

 private:
  std::variant<T, Error> m_value;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)) {}  // NOLINT

  bool ok() const { return !m_error.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *m_error; }
  Error&& error() && { return std::move(*m_error); }

 private:
  std::optional<Error> m_error;
};

}  // namespace kura
