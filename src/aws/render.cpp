// Rendering credentials: one body per format, run twice by sized_text — first counting bytes, then writing
// them into a string reserved to exactly that size.
#include "aws/render.h"

#include "util/sized_text.h"

namespace kura {

namespace {

void sh_quoted(TextWriter& w, std::string_view text) {
  w.put('\'');
  for (char c : text) {
    if (c == '\'') {
      w.put("'\\''");
    } else {
      w.put(c);
    }
  }
  w.put('\'');
}

void fish_quoted(TextWriter& w, std::string_view text) {
  w.put('\'');
  for (char c : text) {
    if (c == '\'' || c == '\\') w.put('\\');
    w.put(c);
  }
  w.put('\'');
}

void powershell_quoted(TextWriter& w, std::string_view text) {
  w.put('\'');
  for (char c : text) {
    if (c == '\'') w.put('\'');
    w.put(c);
  }
  w.put('\'');
}

// The variables a shell or a child gets, in the order they are printed.
template <typename Each>
void for_each_variable(const Credentials& c, const std::string& expiration, const std::string& region,
                       Each&& each) {
  each("AWS_ACCESS_KEY_ID", c.access_key_id);
  each("AWS_SECRET_ACCESS_KEY", c.secret_access_key.view());
  if (!c.session_token.empty()) each("AWS_SESSION_TOKEN", c.session_token.view());
  if (c.expiration) each("AWS_CREDENTIAL_EXPIRATION", expiration);
  if (!region.empty()) {
    each("AWS_REGION", region);
    each("AWS_DEFAULT_REGION", region);
  }
}

}  // namespace

std::optional<CredentialFormat> credential_format(std::string_view name) {
  if (name == "env" || name == "export-env") return CredentialFormat::env;
  if (name == "dotenv") return CredentialFormat::dotenv;
  if (name == "fish") return CredentialFormat::fish;
  if (name == "powershell") return CredentialFormat::powershell;
  if (name == "json") return CredentialFormat::json;
  if (name == "ini") return CredentialFormat::ini;
  return std::nullopt;
}

Secret render_credentials(const Credentials& c, CredentialFormat format, const RenderContext& context) {
  const std::string expiration = c.expiration ? format_iso8601(*c.expiration) : std::string();
  switch (format) {
    case CredentialFormat::env:
      return sized_text([&](TextWriter& w) {
        if (c.session_token.empty()) w.put("unset AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION\n");
        for_each_variable(c, expiration, context.region, [&](std::string_view name, std::string_view value) {
          w.put("export ");
          w.put(name);
          w.put('=');
          sh_quoted(w, value);
          w.put('\n');
        });
      });
    case CredentialFormat::dotenv:
      // Unquoted, as aws-vault prints them: the values (key ids, base64 secrets and tokens, ISO times, region
      // names) hold no blank, quote or newline.
      return sized_text([&](TextWriter& w) {
        for_each_variable(c, expiration, context.region, [&](std::string_view name, std::string_view value) {
          w.put(name);
          w.put('=');
          w.put(value);
          w.put('\n');
        });
      });
    case CredentialFormat::fish:
      return sized_text([&](TextWriter& w) {
        for_each_variable(c, expiration, context.region, [&](std::string_view name, std::string_view value) {
          w.put("set -gx ");
          w.put(name);
          w.put(' ');
          fish_quoted(w, value);
          w.put(";\n");
        });
      });
    case CredentialFormat::powershell:
      return sized_text([&](TextWriter& w) {
        for_each_variable(c, expiration, context.region, [&](std::string_view name, std::string_view value) {
          w.put("$env:");
          w.put(name);
          w.put(" = ");
          powershell_quoted(w, value);
          w.put('\n');
        });
      });
    case CredentialFormat::json:
      // The credential_process contract: Version 1; SessionToken and Expiration only for temporary ones.
      return sized_text([&](TextWriter& w) {
        JsonObjectWriter json(w);
        json.string("AccessKeyId", c.access_key_id);
        if (c.expiration) json.string("Expiration", expiration);
        json.string("SecretAccessKey", c.secret_access_key.view());
        if (!c.session_token.empty()) json.string("SessionToken", c.session_token.view());
        json.number("Version", 1);
        json.close();
        w.put('\n');
      });
    case CredentialFormat::ini:
      return sized_text([&](TextWriter& w) {
        w.put('[');
        w.put(context.profile);
        w.put("]\naws_access_key_id = ");
        w.put(c.access_key_id);
        w.put("\naws_secret_access_key = ");
        w.put(c.secret_access_key.view());
        if (!c.session_token.empty()) {
          w.put("\naws_session_token = ");
          w.put(c.session_token.view());
        }
        if (c.expiration) {
          w.put("\nexpiration = ");
          w.put(expiration);
        }
        w.put("\nregion = ");
        w.put(context.region);
        w.put('\n');
      });
    case CredentialFormat::ecs:
      // The container credentials protocol: AccessKeyId, SecretAccessKey, Token, Expiration.
      return sized_text([&](TextWriter& w) {
        JsonObjectWriter json(w);
        json.string("AccessKeyId", c.access_key_id);
        if (c.expiration) json.string("Expiration", expiration);
        json.string("SecretAccessKey", c.secret_access_key.view());
        json.string("Token", c.session_token.view());
        json.close();
      });
    case CredentialFormat::imds: {
      const std::string updated = format_iso8601(context.now);
      return sized_text([&](TextWriter& w) {
        JsonObjectWriter json(w);
        json.string("AccessKeyId", c.access_key_id);
        json.string("Code", "Success");
        if (c.expiration) json.string("Expiration", expiration);
        json.string("LastUpdated", updated);
        json.string("SecretAccessKey", c.secret_access_key.view());
        json.string("Token", c.session_token.view());
        json.string("Type", "AWS-HMAC");
        json.close();
      });
    }
  }
  return Secret();
}

std::vector<std::string> credential_variables(const Credentials& c, const std::string& region) {
  const std::string expiration = c.expiration ? format_iso8601(*c.expiration) : std::string();
  std::vector<std::string> entries;
  entries.reserve(6);
  for_each_variable(c, expiration, region, [&](std::string_view name, std::string_view value) {
    std::string entry;
    entry.reserve(name.size() + 1 + value.size());
    entry.append(name).append("=").append(value);
    entries.push_back(std::move(entry));
  });
  return entries;
}

}  // namespace kura
