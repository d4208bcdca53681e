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
  int code = kura::run_cli(std::vector<std::string>(argv + 1, argv + argc), deps);
  std::fflush(stdout);
  return code;
}
