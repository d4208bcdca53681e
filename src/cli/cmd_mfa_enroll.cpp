// kura mfa enroll PROFILE: a virtual MFA device from the terminal. CreateVirtualMFADevice; its otpauth:// URI
// as a QR code and the base32 seed shown on the terminal only (never stdout, stderr, a log or a file); two
// consecutive codes (asked, or --codes); EnableMFADevice; then mfa_serial written into the profile in
// ~/.aws/config, so the next `kura exec` asks for a code from the new device. A failed enable deletes the
// device again. kura never keeps the seed.
#include "aws/endpoints.h"
#include "aws/iam.h"
#include "cli/commands.h"
#include "cli/keys.h"
#include "config/ini_file.h"
#include "creds/providers.h"
#include "crypto/otpauth.h"
#include "prompt/qr.h"
#include "util/log.h"
#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

namespace {

Result<std::pair<std::string, std::string>> two_codes(Context& context, const MfaCommandInput& input) {
  std::string first;
  std::string second;
  if (input.codes) {
    auto parts = split(*input.codes, ',');
    if (parts.size() != 2) return make_error("--codes: two codes, comma-separated (C1,C2)");
    first = std::string(trim(parts[0]));
    second = std::string(trim(parts[1]));
  } else {
    auto one = context.deps().prompt.ask_line("First code from the app: ");
    if (!one) return one.error();
    auto two = context.deps().prompt.ask_line("The next code (wait for it to change): ");
    if (!two) return two.error();
    first = *one;
    second = *two;
  }
  for (const std::string* code : {&first, &second}) {
    if (auto checked = check_mfa_code(*code, input.codes ? "--codes" : "", "the new device"); !checked) {
      return checked.error();
    }
  }
  if (first == second) return make_error("the two codes are the same: the second is the one after it");
  return std::make_pair(first, second);
}

}  // namespace

Result<void> run_mfa_enroll(Context& context, const MfaCommandInput& input) {
  if (!input.enroll_profile) return make_error("mfa enroll: a PROFILE is required", "kura mfa enroll dev");
  const std::string& name = *input.enroll_profile;
  auto profile = context.profile(name);
  if (!profile) return profile.error();
  if (profile->source) {
    return make_error("profile '" + name +
                      "' is a role: enrol the MFA device of the user whose key it starts from");
  }
  auto home = find_key_home(context, name);
  if (!home) return home.error();
  auto files = context.files();
  if (!files) return files.error();
  // Without a terminal the seed cannot be shown: found out before anything is created.
  if (auto terminal = context.deps().prompt.show(""); !terminal) {
    return make_error("mfa enroll needs a terminal: the device's QR code and key are shown there only",
                      "run it in a terminal");
  }
  if (auto writable = check_aws_file_writable((*files)->config_path); !writable) return writable.error();

  auto caller = iam_caller(context, *profile, *home, IamCallerFlags{input.token, input.no_session});
  if (!caller) return caller.error();
  auto access = IamAccess::open(context, *profile);
  if (!access) return access.error();
  IamClient& iam = (*access)->client();

  auto user = iam.get_user(*caller);
  if (!user) return user.error();
  if (user->name.empty()) {
    return make_error("the key of '" + name + "' is the account's root user's; kura enrols IAM users only",
                      "use the console for the root user's MFA");
  }
  const std::string device_name = input.device_name.value_or(user->name);
  auto device = iam.create_virtual_mfa_device(*caller, device_name);
  if (!device) return device.error();
  const std::string account = user->arn.substr(std::string("arn:aws:iam::").size(), 12);
  auto cleanup = [&](Error error) -> Error {
    if (auto deleted = iam.delete_virtual_mfa_device(*caller, device->serial_number); !deleted) {
      error.message += "; the device " + device->serial_number + " could not be deleted (" +
                       deleted.error().message + "): delete it in the console";
    } else {
      error.message += "; the unused device was deleted";
    }
    return error;
  };

  auto uri = otpauth_totp_uri("AWS " + account, user->name, device->base32_seed);
  if (!uri) return cleanup(uri.error());
  auto qr = render_qr_half_blocks(uri->view());
  if (!qr) return cleanup(qr.error());
  const std::string heading = "\nScan this with an authenticator app, as " + device->serial_number + ":\n\n";
  Secret screen = sized_text([&](TextWriter& w) {
    w.put(heading);
    w.put(qr->view());
    w.put("\nOr type the key: ");
    w.put(device->base32_seed.view());
    w.put("\n\n");
  });
  if (auto shown = context.deps().prompt.show(screen.view()); !shown) return cleanup(shown.error());

  // Codes typed on the terminal may be tried again (the seed was shown once; a new device would need a new
  // scan): three attempts. Codes from --codes get one.
  for (int attempt = 1;; ++attempt) {
    auto codes = two_codes(context, input);
    if (!codes) return cleanup(codes.error());
    auto enabled =
        iam.enable_mfa_device(*caller, user->name, device->serial_number, codes->first, codes->second);
    if (enabled) break;
    const bool refused_codes = enabled.error().message.find("InvalidAuthenticationCode") != std::string::npos;
    if (!refused_codes || input.codes || attempt == 3) return cleanup(enabled.error());
    (void)context.deps().prompt.show("Those codes were not accepted; wait for a new code and try again.\n");
  }

  const std::string section = name == "default" ? "default" : "profile " + name;
  auto written = edit_aws_file((*files)->config_path, AwsFile::config, [&](IniDocument& doc) -> Result<bool> {
    if (auto set = doc.set(section, "mfa_serial", device->serial_number); !set) return set.error();
    return true;
  });
  auto store = context.keystore();
  if (store) (void)remove_sessions_of(**store, name);  // sessions made without the device's MFA
  if (!written) {
    return make_error("the device " + device->serial_number +
                          " is enabled, but mfa_serial could not be written (" + written.error().message +
                          ")",
                      "add `mfa_serial = " + device->serial_number + "` to [" + section + "] by hand");
  }
  log_note("enabled " + device->serial_number + " for " + user->arn + "; mfa_serial set in [" + section +
           "] of " + (*files)->config_path);
  return {};
}

}  // namespace kura
