// The argument parser: each command declares its flags and positionals on a FlagSet; nothing is built for
// the commands not run. GNU style — `--name value`, `--name=value`, `-n value`, switches; flags anywhere
// before the command to run; `--`, or the first word after a command's last positional, starts what is passed
// on verbatim (never parsed, never quoted back in an error). Unknown flags get a "did you mean".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kura {

// Text that lives as long as the program, which a FlagSet keeps as a view instead of a copy: every command
// binds its flags on every run, a cache hit's included. Made from a string literal, or from a view into one
// (a constexpr table's) said to be such with StaticText::of.
class StaticText {
 public:
  template <std::size_t N>
  consteval StaticText(const char (&literal)[N]) : m_view(literal, N - 1) {}  // NOLINT: implicit on purpose
  static constexpr StaticText of(std::string_view in_static_storage) { return StaticText(in_static_storage); }
  constexpr std::string_view view() const { return m_view; }

 private:
  constexpr explicit StaticText(std::string_view view) : m_view(view) {}
  std::string_view m_view;
};

// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

class FlagSet {
 public:
  // `names`: comma-separated spellings, e.g. "--duration,-d". `value_name`: what the help shows ("D").
  void option(StaticText names, StaticText value_name, std::optional<std::string>* out, StaticText help);
  void option(StaticText names, StaticText value_name, std::string* out, StaticText help);
  void repeated(StaticText names, StaticText value_name, std::vector<std::string>* out, StaticText help);
  // A switch; `--no-NAME` turns it off again (as aws-vault's parser allows for every switch).
  void flag(StaticText names, bool* out, StaticText help);
  // A switch whose absence is told apart from `--no-NAME`.
  void flag(StaticText names, std::optional<bool>* out, StaticText help);
  // Only these values are accepted (checked when parsing).
  void choices(std::string_view name, std::vector<std::string> allowed);
  // The values completion offers (not checked: the command says what is wrong with another).
  void suggest(std::string_view name, std::vector<std::string> values);
  void positional(std::string name, std::string* out, std::string help);  // required
  void optional_positional(std::string name, std::optional<std::string>* out, std::string help);
  void optional_positional(std::string name, std::string* out, std::string help);  // left as it is if absent
  void positionals(std::string name, std::vector<std::string>* out, std::string help);  // zero or more
  // What follows `--` or the positionals (a command and its arguments), verbatim.
  void rest(std::string name, std::vector<std::string>* out, std::string help);
  // Flags whose values are collected by name instead of bound (the global settings).
  void collect(StaticText names, StaticText value_name, bool takes_value, StaticText help);
  const std::vector<std::pair<std::string, std::string>>& collected() const { return m_collected; }

  // Errors name the flag or what is missing, never a word after the command to run.
  Result<void> parse(const std::vector<std::string>& args, size_t from = 0);
  bool help_requested() const { return m_help; }
  std::string help(std::string_view usage) const;
  std::string usage_line() const;

  // What was declared, for completion and the man page.
  struct Flag {
    std::vector<std::string_view> names;
    std::string_view value_name;  // empty: a switch
    std::string_view help;
    std::optional<std::string>* optional = nullptr;
    std::string* text = nullptr;
    std::vector<std::string>* many = nullptr;
    bool* boolean = nullptr;
    std::optional<bool>* tristate = nullptr;
    bool collected = false;
    std::vector<std::string> allowed;
    std::vector<std::string> suggested;
  };
  struct Positional {
    std::string name;
    std::string help;
    std::string* text = nullptr;
    std::optional<std::string>* optional = nullptr;
    std::vector<std::string>* many = nullptr;
    bool required = true;  // text only
  };
  const std::vector<Flag>& declared_flags() const { return m_flags; }
  const std::vector<Positional>& declared_positionals() const { return m_positionals; }
  // The name of what follows `--` (a command), or empty when the command runs nothing.
  const std::string& rest_name() const { return m_rest_name; }

 private:
  Flag& add_flag(StaticText names, StaticText value_name, StaticText help);
  Flag* find(std::string_view name);
  Result<void> store(Flag& flag, std::string_view spelling, std::string value);
  static std::vector<std::string_view> split_names(std::string_view names);

  std::vector<Flag> m_flags;
  std::vector<Positional> m_positionals;
  std::vector<std::string>* m_rest = nullptr;
  std::string m_rest_name;
  std::string m_rest_help;
  std::vector<std::pair<std::string, std::string>> m_collected;
  bool m_help = false;
};

}  // namespace kura
