// The providers.
#include "creds/providers.h"

#include "creds/store_items.h"
#include "prompt/prompt.h"
#include "util/full_build.h"
#include "util/log.h"

namespace kura {

Result<void> check_mfa_code(std::string_view code, std::string_view where, std::string_view serial) {
  if (is_mfa_code(code)) return {};
  return make_error(std::string(where) + (where.empty() ? "" : ": ") + "an MFA code is six digits, got " +
                        std::to_string(code.size()) + " characters",
                    "the code the device shows now for " + std::string(serial));
}

Result<std::string> MfaCodes::code_for(const std::string& serial) {
  need_full_build("an MFA code");  // a code is spent once: the static build hands over before asking for one
  std::string where;
  Result<std::string> code = make_error("no MFA code source for " + serial);
  if (m_flag_token) {
    code = std::move(*m_flag_token);
    m_flag_token.reset();  // accepted once by STS: a second device must be asked
    where = "--mfa-token";
  } else if (m_driver.source) {
    code = m_driver.source(serial);
    if (m_driver.name && *m_driver.name != "terminal") where = *m_driver.name;
  }
  if (!code) return code;
  if (auto checked = check_mfa_code(*code, where, serial); !checked) return checked.error();
  return code;
}

MfaDriver with_terminal_fallback(MfaDriver driver, Prompt& prompt) {
  if (!driver.source) {
    driver.source = [&prompt](const std::string& serial) {
      return prompt.ask_line("Enter MFA code for " + serial + ": ");
    };
  }
  return driver;
}

const IniSection* plaintext_key_section(const ConfigFiles& files, const std::string& profile) {
  for (const IniSection* section : {files.credentials_section(profile), files.config_section(profile)}) {
    if (!section) continue;
    auto id = section->values.find("aws_access_key_id");
    if (id != section->values.end() && !id->second.empty() &&
        section->values.count("aws_secret_access_key")) {
      return section;
    }
  }
  return nullptr;
}

Result<std::optional<Credentials>> LongTermKeyProvider::find() {
  auto stored = load_master_key(m_keystore, m_profile);
  if (!stored || *stored) return stored;
  if (const IniSection* section = plaintext_key_section(m_files, m_profile)) {
    Credentials key;
    key.access_key_id = section->values.at("aws_access_key_id");
    key.secret_access_key = Secret(std::string_view(section->values.at("aws_secret_access_key")));
    if (auto token = section->values.find("aws_session_token"); token != section->values.end()) {
      key.session_token = Secret(std::string_view(token->second));
    }
    log_debug("profile '" + m_profile + "': using the plaintext key " + mask_key_id(key.access_key_id) +
              " from the credentials file");
    return std::optional<Credentials>(std::move(key));
  }
  return std::optional<Credentials>();
}

Result<ObtainedCredentials> LongTermKeyProvider::retrieve() {
  auto key = find();
  if (!key) return key.error();
  if (*key) return ObtainedCredentials{std::move(**key), Origin::long_term_key};
  if (!m_files.config_section(m_profile) && !m_files.credentials_section(m_profile)) {
    return make_error("profile '" + m_profile + "' is not in the AWS config files and has no stored key",
                      "check the name (`kura list`), or store a key with `kura add " + m_profile + "`");
  }
  std::string chain = m_profile == m_requested ? "" : " (the source of '" + m_requested + "')";
  return make_error("no credentials for profile '" + m_profile + "'" + chain,
                    "store its access key with `kura add " + m_profile + "`");
}

namespace {

Result<std::optional<MfaInput>> mfa_input(MfaCodes& codes, const std::optional<std::string>& serial) {
  if (!serial) return std::optional<MfaInput>();
  auto code = codes.code_for(*serial);
  if (!code) return code.error();
  return std::optional<MfaInput>(MfaInput{*serial, std::move(*code)});
}

}  // namespace

std::string SessionTokenProvider::describe() const {
  return m_mfa_serial ? "GetSessionToken with MFA" : "GetSessionToken";
}

Result<ObtainedCredentials> SessionTokenProvider::retrieve() {
  auto source = m_source->retrieve();
  if (!source) return source.error();
  auto sts = m_sts();
  if (!sts) return sts.error();
  auto mfa = mfa_input(m_mfa, m_mfa_serial);
  if (!mfa) return mfa.error().context("profile '" + m_profile + "'");
  auto fresh = (*sts)->get_session_token(source->credentials, GetSessionTokenInput{m_duration, *mfa});
  if (!fresh) return std::move(fresh).error().context("profile '" + m_profile + "'");
  return ObtainedCredentials{std::move(*fresh), Origin::sts};
}

std::string default_session_name(const Clock& clock) {
  return "kura-" +
         std::to_string(std::chrono::duration_cast<Seconds>(clock.now().time_since_epoch()).count());
}

std::string AssumeRoleProvider::describe() const {
  return "AssumeRole " + m_input.role_arn + (m_mfa_serial ? " with MFA" : "");
}

Result<ObtainedCredentials> AssumeRoleProvider::retrieve() {
  auto source = m_source->retrieve();
  if (!source) return source.error();
  auto sts = m_sts();
  if (!sts) return sts.error();
  auto mfa = mfa_input(m_mfa, m_mfa_serial);
  if (!mfa) return mfa.error().context("profile '" + m_profile + "'");
  AssumeRoleInput input = m_input;
  if (input.session_name.empty()) input.session_name = default_session_name(m_clock);
  input.mfa = *mfa;
  auto fresh = (*sts)->assume_role(source->credentials, input);
  if (!fresh) return std::move(fresh).error().context("profile '" + m_profile + "'");
  return ObtainedCredentials{std::move(*fresh), Origin::sts};
}

Result<ObtainedCredentials> FederationTokenProvider::retrieve() {
  auto source = m_source->retrieve();
  if (!source) return source.error();
  auto sts = m_sts();
  if (!sts) return sts.error();
  GetFederationTokenInput input = m_input;
  if (input.name.empty()) {
    // Named after the user (the federated session shows as federated-user/NAME in CloudTrail), at most 32.
    auto identity = (*sts)->get_caller_identity(source->credentials);
    if (!identity) return identity.error().context("profile '" + m_profile + "'");
    input.name = identity->arn.substr(identity->arn.rfind('/') + 1);
    if (input.name.size() > 32) input.name.resize(32);
  }
  auto token = (*sts)->get_federation_token(source->credentials, input);
  if (!token) return token.error().context("profile '" + m_profile + "'");
  return ObtainedCredentials{std::move(*token), Origin::sts};
}

}  // namespace kura
