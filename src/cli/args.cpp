// The argument parser.
#include "cli/args.h"

#include <algorithm>

#include "util/strings.h"

namespace kura {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      // A swap of two neighbours ("exce") counts as one edit, like a substitution.
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    // A prefix is a likely abbreviation: "--dur" for "--duration".
    if (candidate.size() > word.size() && candidate.compare(0, word.size(), word) == 0 && word.size() >= 3) {
      distance = 1;
    }
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  if (!best || best_distance > limit) return std::nullopt;
  return best;
}

std::vector<std::string_view> FlagSet::split_names(std::string_view names) {
  // Every command binds its flags on every run, a hit's included: one vector of views into the static text.
  std::vector<std::string_view> out;
  out.reserve(static_cast<std::size_t>(std::count(names.begin(), names.end(), ',')) + 1);
  while (!names.empty()) {
    const std::size_t comma = names.find(',');
    const std::string_view name = trim(names.substr(0, comma));
    if (!name.empty()) out.emplace_back(name);
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  return out;
}

void FlagSet::option(StaticText names, StaticText value_name, std::optional<std::string>* out,
                     StaticText help) {
  add_flag(names, value_name, help).optional = out;
}

void FlagSet::option(StaticText names, StaticText value_name, std::string* out, StaticText help) {
  add_flag(names, value_name, help).text = out;
}

void FlagSet::repeated(StaticText names, StaticText value_name, std::vector<std::string>* out,
                       StaticText help) {
  add_flag(names, value_name, help).many = out;
}

void FlagSet::flag(StaticText names, bool* out, StaticText help) {
  add_flag(names, "", help).boolean = out;
}

void FlagSet::flag(StaticText names, std::optional<bool>* out, StaticText help) {
  add_flag(names, "", help).tristate = out;
}

void FlagSet::collect(StaticText names, StaticText value_name, bool takes_value, StaticText help) {
  add_flag(names, takes_value ? value_name : StaticText(""), help).collected = true;
}

void FlagSet::choices(std::string_view name, std::vector<std::string> allowed) {
  if (Flag* flag = find(name)) flag->allowed = std::move(allowed);
}

void FlagSet::suggest(std::string_view name, std::vector<std::string> values) {
  if (Flag* flag = find(name)) flag->suggested = std::move(values);
}

void FlagSet::positional(std::string name, std::string* out, std::string help) {
  Positional positional;
  positional.name = std::move(name);
  positional.help = std::move(help);
  positional.text = out;
  m_positionals.push_back(std::move(positional));
}

void FlagSet::optional_positional(std::string name, std::optional<std::string>* out, std::string help) {
  Positional positional;
  positional.name = std::move(name);
  positional.help = std::move(help);
  positional.optional = out;
  m_positionals.push_back(std::move(positional));
}

void FlagSet::optional_positional(std::string name, std::string* out, std::string help) {
  positional(std::move(name), out, std::move(help));
  m_positionals.back().required = false;
}

void FlagSet::positionals(std::string name, std::vector<std::string>* out, std::string help) {
  Positional positional;
  positional.name = std::move(name);
  positional.help = std::move(help);
  positional.many = out;
  m_positionals.push_back(std::move(positional));
}

void FlagSet::rest(std::string name, std::vector<std::string>* out, std::string help) {
  m_rest = out;
  m_rest_name = std::move(name);
  m_rest_help = std::move(help);
}

FlagSet::Flag& FlagSet::add_flag(StaticText names, StaticText value_name, StaticText help) {
  if (m_flags.empty()) m_flags.reserve(32);  // a command's flags with the global ones, moved once at most
  Flag flag;
  flag.names = split_names(names.view());
  flag.value_name = value_name.view();
  flag.help = help.view();
  m_flags.push_back(std::move(flag));
  return m_flags.back();
}

FlagSet::Flag* FlagSet::find(std::string_view name) {
  for (Flag& flag : m_flags) {
    if (std::find(flag.names.begin(), flag.names.end(), name) != flag.names.end()) return &flag;
  }
  return nullptr;
}

Result<void> FlagSet::store(Flag& flag, std::string_view spelling, std::string value) {
  if (!flag.allowed.empty() &&
      std::find(flag.allowed.begin(), flag.allowed.end(), value) == flag.allowed.end()) {
    return make_error(std::string(spelling) + ": '" + value + "' is not one of " + join(flag.allowed, ", "));
  }
  if (flag.collected) {
    m_collected.emplace_back(std::string(flag.names.front()), std::move(value));
  } else if (flag.boolean) {
    *flag.boolean = value != "0";
  } else if (flag.tristate) {
    *flag.tristate = value != "0";
  } else if (flag.optional) {
    *flag.optional = std::move(value);
  } else if (flag.text) {
    *flag.text = std::move(value);
  } else if (flag.many) {
    flag.many->push_back(std::move(value));
  }
  return {};
}

Result<void> FlagSet::parse(const std::vector<std::string>& args, size_t from) {
  size_t next_positional = 0;  // the positionals before it have their value; a repeated one stays current
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      if (!m_rest) return make_error("'--' given, but this command runs nothing");
      m_rest->assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg == "--help" || arg == "-h") {
      m_help = true;
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg;
      std::optional<std::string> inline_value;
      if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
      Flag* flag = find(name);
      if (!flag && name.rfind("--no-", 0) == 0 && !inline_value) {
        // --no-NAME: a switch turned off.
        Flag* negated = find("--" + name.substr(5));
        if (negated && negated->value_name.empty() &&
            (negated->boolean != nullptr || negated->tristate != nullptr || negated->collected)) {
          if (auto stored = store(*negated, name, "0"); !stored) return stored;
          continue;
        }
      }
      if (!flag) {
        std::vector<std::string> known;
        for (const Flag& f : m_flags) known.insert(known.end(), f.names.begin(), f.names.end());
        auto suggestion = closest_match(name, known);
        return make_error("unknown flag '" + name + "'" +
                          (suggestion ? "; did you mean '" + *suggestion + "'?" : ""));
      }
      if (flag->value_name.empty()) {
        if (inline_value) return make_error(name + " takes no value");
        if (auto stored = store(*flag, name, "1"); !stored) return stored;
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size())
          return make_error(name + " needs a value (" + std::string(flag->value_name) + ")");
        inline_value = args[++i];
      }
      if (auto stored = store(*flag, name, std::move(*inline_value)); !stored) return stored;
      continue;
    }
    // A positional, or the start of the command to run.
    if (next_positional < m_positionals.size()) {
      Positional& positional = m_positionals[next_positional];
      if (positional.many) {
        positional.many->push_back(arg);
      } else {
        if (positional.text) *positional.text = arg;
        if (positional.optional) *positional.optional = arg;
        ++next_positional;
      }
      continue;
    }
    if (m_rest) {
      // The command to run starts here: it and everything after it are its own, flags included.
      m_rest->assign(args.begin() + static_cast<long>(i), args.end());
      break;
    }
    return make_error("unexpected argument '" + arg + "'");
  }
  if (m_help) return {};
  for (size_t p = next_positional; p < m_positionals.size(); ++p) {
    if (m_positionals[p].text && m_positionals[p].required)
      return make_error("missing " + m_positionals[p].name);
  }
  return {};
}

std::string FlagSet::usage_line() const {
  std::string line;
  if (!m_flags.empty()) line += " [flags]";
  for (const Positional& positional : m_positionals) {
    if (positional.text && positional.required) line += " " + positional.name;
    if (positional.text && !positional.required) line += " [" + positional.name + "]";
    if (positional.optional) line += " [" + positional.name + "]";
    if (positional.many) line += " [" + positional.name + "...]";
  }
  if (m_rest) line += " [-- " + m_rest_name + "...]";
  return line;
}

std::string FlagSet::help(std::string_view usage) const {
  std::string text = "usage: " + std::string(usage) + usage_line() + "\n";
  if (!m_flags.empty()) text += "\nflags:\n";
  for (const Flag& flag : m_flags) {
    text += "  " + join(flag.names, ", ") +
            (flag.value_name.empty() ? "" : " " + std::string(flag.value_name)) + "\n";
    text += "      " + std::string(flag.help) + "\n";
  }
  return text;
}

}  // namespace kura
