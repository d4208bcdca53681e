// Fuzz target: ~/.aws/config and ~/.aws/credentials as a hostile file could be, through profile resolution
// (include_profile, source_profile chains and cycles, services sections, durations, tags) and the resolver.
// Nothing may crash, hang or recurse without bound; an error names its file.
#include <cstdint>
#include <string>

#include "config/profiles.h"
#include "creds/plan.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  auto parts = fuzz::fields(data, size, '\0', 2);
  std::string_view config = parts[0];
  std::string_view credentials = parts.size() > 1 ? parts[1] : std::string_view();
  auto files = ConfigFiles::from_text(config, credentials);
  if (!files) {
    const std::string& message = files.error().message;
    KURA_FUZZ_CHECK(message.rfind("config:", 0) == 0 || message.rfind("credentials:", 0) == 0);
    return 0;
  }
  auto names = files->profile_names();
  for (size_t i = 0; i < names.size() && i < 16; ++i) {
    auto profile = resolve_profile(*files, names[i]);
    if (!profile) continue;
    auto plan = make_plan(
        *profile, PlanOptions{}, [](const std::string&) { return true; },
        [](const std::string& name) { return "AKIA" + name; });
    if (!plan) continue;
    for (const Step& step : plan->steps) {
      KURA_FUZZ_CHECK(step.cache_id.size() == 32);
      KURA_FUZZ_CHECK(step.duration.count() > 0);
    }
  }
  return 0;
}
