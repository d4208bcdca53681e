// The web identity and credential_process providers, and the credential_process output parser.
#include "creds/external_providers.h"

#include <map>

#include "util/flat_json.h"
#include "util/fs.h"
#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr const char* k_token_hint =
    "the token's issuer writes it there (e.g. a Kubernetes projected service account token, "
    "AWS_WEB_IDENTITY_TOKEN_FILE): check the path and that the issuer runs";

// The file is read whole into one string (a token is far smaller than read_file's 8 KiB chunks, so the
// string is never reallocated) that is wiped once the trimmed token is taken from it.
Result<Secret> token_from_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::move(text).error().context("web_identity_token_file");
  if (!*text) return make_error("web_identity_token_file " + path + " does not exist", k_token_hint);
  Secret token(trim(**text));
  wipe_string(**text);
  if (token.empty()) return make_error("web_identity_token_file " + path + " is empty", k_token_hint);
  return token;
}

Result<Secret> token_from_process(const std::string& command, const CommandOutput& run) {
  const std::string name = "web_identity_token_process '" + printable(command, 120) + "'";
  auto output = run(command);
  if (!output) return std::move(output).error().context(name);
  Secret token(trim(output->view()));
  if (token.empty()) {
    return make_error(name + " printed no token", "it must print the token (a JWT) on its standard output");
  }
  return token;
}

// --- credential_process output -------------------------------------------------------------------------

// What a member held that FlatJson cannot read, by the member's name as written.
using Replaced = std::map<std::string, std::string, std::less<>>;

// Just past the closing quote of the string opening at `at`, or npos.
size_t string_end(std::string_view json, size_t at) {
  for (size_t i = at + 1; i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Just past the bracket closing the object or array opening at `at`, or npos when there is none.
size_t nested_end(std::string_view json, size_t at) {
  std::string closers;
  for (size_t i = at; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      size_t end = string_end(json, i);
      if (end == std::string_view::npos) return end;
      i = end - 1;
    } else if (c == '{' || c == '[') {
      closers.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (closers.empty() || closers.back() != c) return std::string_view::npos;
      closers.pop_back();
      if (closers.empty()) return i + 1;
    }
  }
  return std::string_view::npos;
}

// FlatJson refuses nested values and non-integer numbers; the AWS CLI ignores whatever members it does not
// read hold. So the output is written with each such member value replaced by null, its name and what it held
// kept in `replaced` for messages. Replaced values are skipped by their brackets and strings, not validated:
// a malformed one is ignored where the AWS CLI would refuse the output. Anything else malformed is written as
// it is, for FlatJson to refuse.
void write_flattened(std::string_view json, TextWriter& out, Replaced& replaced) {
  constexpr size_t npos = std::string_view::npos;
  bool in_object = false;
  bool value_next = false;  // after a member's ':'
  std::string_view key;
  size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    size_t end = i + 1;
    const char* held = nullptr;
    if (c == '"') {
      end = string_end(json, i);
      if (end == npos) break;
      if (in_object && !value_next) key = json.substr(i + 1, end - i - 2);
    } else if (value_next && (c == '{' || c == '[')) {
      end = nested_end(json, i);
      if (end == npos) break;
      held = c == '{' ? "an object" : "an array";
    } else if (value_next && (c == '-' || (c >= '0' && c <= '9'))) {
      end = std::min(json.find_first_not_of("0123456789+-.eE", i), json.size());
      if (json.substr(i, end - i).find_first_of(".eE") != npos) held = "a number with a fraction or exponent";
    } else if (c == '{') {
      in_object = true;
    }
    if (c == ':') {
      value_next = in_object;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      value_next = false;
    }
    if (held) {
      out.put("null");
      replaced[std::string(key)] = held;
    } else {
      out.put(json.substr(i, end - i));
    }
    i = end;
  }
  out.put(json.substr(i));
}

// "a string", "the number 2", "null", "an object", ...: what a member holds, never its text.
std::string held_by(const FlatJson& json, const Replaced& replaced, const std::string& name) {
  if (auto found = replaced.find(name); found != replaced.end()) return found->second;
  const FlatJsonValue* member = json.member(name);
  if (!member) return "missing";
  switch (member->kind) {
    case FlatJsonValue::Kind::string:
      return "a string";
    case FlatJsonValue::Kind::integer:
      return "the number " + std::to_string(member->number);
    case FlatJsonValue::Kind::boolean:
      return member->flag ? "true" : "false";
    case FlatJsonValue::Kind::object:
      return "an object";
    case FlatJsonValue::Kind::null:
      break;
  }
  return "null";
}

// ISO 8601 as parse_iso8601 reads it, and with a numeric UTC offset too ("+02:00", "-0500", "+01"), which
// programs printing local time give.
std::optional<TimePoint> parse_expiration(std::string_view text) {
  if (auto utc = parse_iso8601(text)) return utc;
  size_t sign = text.find_last_of("+-");
  if (sign == std::string_view::npos || sign < 19) return std::nullopt;
  std::string offset(text.substr(sign + 1));
  if (offset.size() == 5 && offset[2] == ':') offset.erase(2, 1);
  if (offset.size() == 2) offset += "00";
  if (offset.size() != 4 || offset.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int hours = std::stoi(offset.substr(0, 2)), minutes = std::stoi(offset.substr(2));
  if (hours > 23 || minutes > 59) return std::nullopt;
  auto local = parse_iso8601(text.substr(0, sign));
  if (!local) return std::nullopt;
  const Seconds shift(hours * 3600 + minutes * 60);
  return text[sign] == '+' ? *local - shift : *local + shift;
}

}  // namespace

Result<Credentials> parse_process_credentials(std::string_view json, const std::string& source,
                                              TimePoint now) {
  Replaced replaced;
  const Secret flat = sized_text([&](TextWriter& out) { write_flattened(json, out, replaced); });
  auto parsed = FlatJson::parse(flat.view());
  if (!parsed) {
    return make_error(source + ": its output is not the JSON object credential_process gives (" +
                          printable(parsed.error().message, 200) + ")",
                      "it must print {\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...} on its "
                      "standard output, and anything else on its standard error");
  }
  auto held = [&](const std::string& name) { return held_by(*parsed, replaced, name); };
  // Absent or null, as the AWS CLI reads an optional member (a replaced value is not null).
  auto absent = [&](const std::string& name) {
    const FlatJsonValue* member = parsed->member(name);
    return !member || (member->kind == FlatJsonValue::Kind::null && !replaced.count(name));
  };
  auto version = parsed->integer("Version");
  if (version != 1) {
    return make_error(source + ": its Version is " + held("Version") + ", and kura reads Version 1 only",
                      "the output must include \"Version\": 1");
  }
  Credentials credentials;
  for (const char* name : {"AccessKeyId", "SecretAccessKey"}) {
    const Secret* value = parsed->string(name);
    if (!parsed->has(name)) return make_error(source + ": its output has no " + name);
    if (!value || value->empty()) {
      return make_error(source + ": its " + name + " is " +
                        (value ? "empty" : held(name) + ", not a string"));
    }
  }
  credentials.access_key_id = std::string(parsed->string("AccessKeyId")->view());
  credentials.secret_access_key = parsed->string("SecretAccessKey")->clone();
  if (const Secret* token = parsed->string("SessionToken")) {
    credentials.session_token = token->clone();
  } else if (!absent("SessionToken")) {
    return make_error(source + ": its SessionToken is " + held("SessionToken") + ", not a string");
  }
  if (const Secret* expiration = parsed->string("Expiration")) {
    credentials.expiration = parse_expiration(expiration->view());
    if (!credentials.expiration) {
      return make_error(
          source + ": its Expiration '" + printable(expiration->view(), 64) + "' is not an ISO 8601 time",
          "e.g. \"Expiration\": \"2026-11-22T13:00:00Z\"");
    }
    if (*credentials.expiration <= now) {
      return make_error(source + ": the credentials it gave expired at " +
                            format_iso8601(*credentials.expiration) + " (this machine's clock says " +
                            format_iso8601(now) + ")",
                        "the command must give current credentials: check it, and this machine's clock");
    }
  } else if (!absent("Expiration")) {
    return make_error(source + ": its Expiration is " + held("Expiration") + ", not a string");
  }
  return credentials;
}

Result<Secret> WebIdentityProvider::token() const {
  if (m_source.token_file) return token_from_file(*m_source.token_file);
  if (m_source.token_process) return token_from_process(*m_source.token_process, m_run);
  return make_error("there is no web identity token to use",
                    "set web_identity_token_file (the path EKS puts in AWS_WEB_IDENTITY_TOKEN_FILE) or "
                    "web_identity_token_process in the profile");
}

Result<ObtainedCredentials> WebIdentityProvider::retrieve() {
  const std::string where = "profile '" + m_profile + "'";
  auto token = this->token();  // read again on every call: the issuer rotates it
  if (!token) return std::move(token).error().context(where);
  auto sts = m_sts();
  if (!sts) return sts.error();
  AssumeRoleWithWebIdentityInput input{
      m_input.role_arn, m_input.session_name.empty() ? default_session_name(m_clock) : m_input.session_name,
      std::move(*token), m_input.duration};
  auto fresh = (*sts)->assume_role_with_web_identity(input);
  if (!fresh) return std::move(fresh).error().context(where);
  return ObtainedCredentials{std::move(*fresh), Origin::sts};
}

Result<ObtainedCredentials> ProcessCredentialsProvider::retrieve() {
  auto output = m_run(m_command);
  if (!output) return std::move(output).error().context(describe());
  auto credentials = parse_process_credentials(output->view(), describe(), m_clock.now());
  if (!credentials) return credentials.error();
  return ObtainedCredentials{std::move(*credentials), Origin::credential_process};
}

}  // namespace kura
