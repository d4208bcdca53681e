// The command table: one row per command (name, alias, summary, the personas it exists in, how to run it and
// how to describe its flags). app.cpp dispatches over it; completion, `help` and the man page read it, so
// none of them can drift from what is parsed.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/context.h"
#include "cli/settings.h"

namespace kura {

// What running a command needs besides its own flags: the global ones, then the context.
struct Invocation {
  const std::vector<std::string>& args;
  size_t first;  // the first argument after the command's name
  AppDeps& deps;
  std::string_view name;
  Persona persona;
};

struct CommandSpec {
  std::string_view name;
  std::string_view alias;
  std::string_view summary;
  unsigned personas;  // PersonaMask: kura's commands exist in every persona; a few only as aws-vault
  int (*run)(Invocation& in);
  // Declares the command's flags (bound to nothing that runs); nullptr for `help`.
  void (*describe)(FlagSet& flags);
  bool hidden = false;  // not listed (completion's helper)
  // Runs in kura's static build (util/full_build.h): the commands of a cache hit and those that only print.
  // Any other is handed to kura-full before its flags are parsed.
  bool static_build = false;
};

std::span<const CommandSpec> command_table();
const CommandSpec* find_command(std::string_view name, Persona persona);
// The global flags a persona accepts, declared on `flags` (collected by name).
void bind_global_flags(FlagSet& flags, Persona persona);

}  // namespace kura
