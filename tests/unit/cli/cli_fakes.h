// The seams a command runs against in a CLI unit test, wired once into an AppDeps: the in-memory keystore
// and transport (handed out as forwarders, the test keeping ownership), a scripted prompt, a fake clock, a
// recording runner, and stdout collected in `out`. Fixtures inherit it and set deps.env for their world.
#pragma once

#include <memory>
#include <string>

#include "cli/context.h"
#include "fakes.h"

namespace kura::testing {

struct CliFakes {
  CliFakes() {
    deps.open_keystore = [this](const KeystoreSettings&,
                                PassphraseSource) -> Result<std::unique_ptr<Keystore>> {
      return std::unique_ptr<Keystore>(std::make_unique<KeystoreRef>(keystore));
    };
    deps.make_transport = [this](const HttpOptions&) { return std::make_unique<TransportRef>(transport); };
    deps.write_out = [this](std::string_view text) { out.append(text); };
  }
  CliFakes(const CliFakes&) = delete;
  CliFakes& operator=(const CliFakes&) = delete;

  MemoryKeystore keystore;
  ScriptedPrompt prompt;
  FakeClock clock;
  FakeTransport transport;
  RecordingRunner runner;
  AppDeps deps{Environment(), clock, prompt, runner, nullptr, nullptr, nullptr};
  std::string out;
};

}  // namespace kura::testing
