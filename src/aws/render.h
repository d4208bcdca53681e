// Credentials serialised for whoever consumes them — a shell (env, fish, PowerShell), credential_process
// (json), an INI section, the ECS and IMDS endpoints, a child's environment — in one place. Each rendering
// measures itself first and writes into a buffer allocated once, handed over as a Secret (wiped when it
// dies): no reallocation ever leaves a copy of a secret in freed memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "util/secret.h"
#include "util/time.h"

namespace kura {

// env: `export NAME='value'` lines for eval; dotenv: NAME=value lines (aws-vault's env format, docker's
// --env-file, direnv's dotenv).
enum class CredentialFormat { env, dotenv, fish, powershell, json, ini, ecs, imds };

// The format named on the command line (`--format`), if it is one of the user-facing ones.
std::optional<CredentialFormat> credential_format(std::string_view name);

struct RenderContext {
  std::string profile;  // ini: the section name
  std::string region;   // env, fish, powershell, ini: AWS_REGION / AWS_DEFAULT_REGION / region
  TimePoint now{};      // imds: LastUpdated
};

Secret render_credentials(const Credentials& credentials, CredentialFormat format,
                          const RenderContext& context);

// The variables that carry credentials into a child process, as NAME=value entries (each allocated once);
// the caller wipes them when the child has them.
std::vector<std::string> credential_variables(const Credentials& credentials, const std::string& region);

}  // namespace kura
