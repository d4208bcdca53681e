// kura's entry point: wires the real seams and hands over to the command line.
#include <cstdio>

#include "cli/app.h"
#include "cli/context.h"

int main(int argc, char** argv) {
  kura::SystemClock clock;
  kura::TtyPrompt prompt;
  kura::ExecRunner runner;
  kura::AppDeps deps{kura::Environment::from_process(),
                     clock,
                     prompt,
                     runner,
                     kura::open_default_keystore,
                     [](const kura::HttpOptions& options) { return kura::make_curl_transport(options); },
                     [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }};
  std::vector<std::string> args(argv + 1, argv + argc);
  // Installed as `aws-mfa` (a symlink), kura behaves as `kura mfa`.
  std::string_view name = argc > 0 ? argv[0] : "kura";
  if (name.substr(name.rfind('/') + 1) == "aws-mfa") args.insert(args.begin(), "mfa");
  int code = kura::run_cli(args, deps);
  std::fflush(stdout);
  return code;
}
