// kura's entry point: wires the real seams and hands over to the command line.
#include <cstdio>

#include "cli/app.h"
#include "cli/context.h"
#include "keyring/selection.h"
#include "process/full_build.h"
#include "process/hardening.h"
#include "util/full_build.h"

#ifdef KURA_STATIC_BUILD
// This is the static build (`kura`; util/full_build.h): what it cannot do, kura-full does, given the run
// whole.
namespace {
char** g_argv = nullptr;
const kura::Environment* g_environment = nullptr;
void hand_over(std::string_view why) {
  kura::exec_full_build(g_argv, *g_environment, why);
}
}  // namespace
#endif

int main(int argc, char** argv) {
  // Before anything secret is read: no core dumps, no ptrace by the user's other processes.
  kura::harden_process();
  // kura reads its environment once; the secret variables then leave the process environment for good.
  kura::Environment env = kura::Environment::from_process();
  kura::scrub_secret_variables();
  kura::SystemClock clock;
  kura::TtyPrompt prompt;
  kura::ExecRunner runner;
  kura::AppDeps deps{std::move(env),
                     clock,
                     prompt,
                     runner,
                     kura::open_keystore,
                     [](const kura::HttpOptions& options) { return kura::make_curl_transport(options); },
                     [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }};
#ifdef KURA_STATIC_BUILD
  g_argv = argv;
  g_environment = &deps.env;
  kura::set_full_build_handler(hand_over);
#endif
  std::vector<std::string> args(argv + 1, argv + argc);
  // Installed as `aws-mfa` or `aws-vault` (links), kura takes that tool's command line.
  std::string_view name = argc > 0 ? argv[0] : "kura";
  name = name.substr(name.rfind('/') + 1);
  const kura::Persona persona = name == "aws-mfa"     ? kura::Persona::aws_mfa
                                : name == "aws-vault" ? kura::Persona::aws_vault
                                                      : kura::Persona::kura;
  int code = kura::run_cli(args, deps, persona);
  std::fflush(stdout);
  return code;
}
