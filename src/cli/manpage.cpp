// kura(1), generated from the command table and the settings table (`kura __man`, run by the build): every
// command, flag and variable in the page is one the parser knows, so the page cannot drift from the binary.
#include "cli/manpage.h"

#include "cli/command_table.h"

#ifndef KURA_VERSION
#define KURA_VERSION "0.0.0"
#endif

namespace kura {

namespace {

// Text for roff: backslashes and hyphens escaped, a leading dot or quote neutralised.
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string flag_names(const FlagSet::Flag& flag) {
  std::string names;
  for (std::string_view name : flag.names)
    names += (names.empty() ? "" : ", ") + ("\\fB" + roff(name) + "\\fR");
  if (!flag.value_name.empty()) names += " \\fI" + roff(flag.value_name) + "\\fR";
  return names;
}

std::string settings_section(Persona persona, bool only_persona) {
  std::string out;
  for (const SettingSpec& spec : setting_specs()) {
    const bool flag_here = has_flag(spec, persona);
    const bool variable_here = persona == Persona::aws_vault && !spec.aws_vault_variable.empty();
    std::string names;
    if (only_persona) {
      // The aws-vault section: what only that persona reads.
      if (flag_here && !has_flag(spec, Persona::kura)) names = "\\fB" + roff(spec.flag) + "\\fR";
      if (variable_here)
        names += (names.empty() ? "" : ", ") + ("\\fB" + roff(spec.aws_vault_variable) + "\\fR");
    } else {
      if (flag_here) names = "\\fB" + roff(spec.flag) + "\\fR";
      if (flag_here && !spec.value_name.empty()) names += " \\fI" + roff(spec.value_name) + "\\fR";
      for (std::string_view variable : spec.variables) {
        if (!variable.empty()) names += (names.empty() ? "" : ", ") + ("\\fB" + roff(variable) + "\\fR");
      }
    }
    if (names.empty()) continue;
    out += ".TP\n" + names + "\n" + roff(spec.help) + " (default: " + roff(spec.fallback) + ").\n";
  }
  return out;
}

}  // namespace

std::string man_page() {
  std::string page;
  page += ".TH KURA 1 \"\" \"kura " KURA_VERSION "\" \"User Commands\"\n";
  page +=
      ".SH NAME\nkura, aws\\-vault, aws\\-mfa \\- AWS credentials from the OS keystore, MFA sessions cached "
      "encrypted\n";
  page +=
      ".SH SYNOPSIS\n.B kura\n[\\fIglobal flags\\fR] \\fICOMMAND\\fR [\\fIflags\\fR] [\\fIargs\\fR]\n.br\n"
      ".B aws\\-vault\n\\fICOMMAND\\fR ...\n.br\n.B aws\\-mfa\n[\\fIflags\\fR]\n";
  page +=
      ".SH DESCRIPTION\n"
      "kura keeps long\\-term IAM access keys encrypted in a keystore (Secret Service, pass, the kernel "
      "keyring or an encrypted file), turns them into temporary STS credentials (GetSessionToken with MFA, "
      "AssumeRole chains, GetFederationToken), caches those sessions encrypted until shortly before they "
      "expire, and hands them to commands (\\fBexec\\fR), to the AWS CLI's \\fBcredential_process\\fR "
      "(\\fBexport \\-\\-format json\\fR), to local ECS and IMDS endpoints, to the console (\\fBlogin\\fR) "
      "and to the current shell (\\fBuse\\fR). Profiles are read from \\fI~/.aws/config\\fR as the AWS CLI "
      "reads them.\n"
      ".PP\nWith no profile named, a command offers the config's profiles to choose from on a terminal "
      "(type to filter, arrows, Enter), and takes \\fBAWS_PROFILE\\fR otherwise.\n";
  page += ".SH COMMANDS\n";
  for (const CommandSpec& spec : command_table()) {
    if (spec.hidden || (spec.personas & k_kura_only) == 0) continue;
    FlagSet flags;
    if (spec.describe) spec.describe(flags);
    page += ".TP\n\\fB" + roff(spec.name) + "\\fR" + roff(flags.usage_line()) + "\n";
    if (!spec.alias.empty()) page += "(also \\fB" + roff(spec.alias) + "\\fR) ";
    page += roff(spec.summary) + ".\n";
    if (flags.declared_flags().empty()) continue;
    page += ".RS\n";
    for (const FlagSet::Flag& flag : flags.declared_flags()) {
      page += ".TP\n" + flag_names(flag) + "\n" + roff(flag.help) + "\n";
    }
    page += ".RE\n";
  }
  page +=
      ".SH GLOBAL FLAGS AND ENVIRONMENT\nGlobal flags go before or after the command; a flag wins over its "
      "variables.\n";
  page += settings_section(Persona::kura, false);
  page +=
      ".SH AWS\\-VAULT\n"
      "Run as \\fBaws\\-vault\\fR (a link to kura), kura takes aws\\-vault v7's command line: its commands "
      "(add, remove, list, exec, export, login, clear, rotate, version; proxy says what to do instead), "
      "their flags (\\fBexec \\-j\\fR, \\fB\\-s\\fR, \\fB\\-\\-ec2\\-server\\fR, "
      "\\fB\\-\\-profile\\-env\\fR, "
      "\\fBexport \\-\\-format env|export\\-env|json|ini\\fR, \\fBlogin \\-a\\fR, \\fBremove \\-s\\fR, "
      "\\fBadd \\-\\-add\\-config\\fR) and its variables. The child of \\fBexec\\fR gets "
      "\\fBAWS_VAULT\\fR=\\fIprofile\\fR, and an \\fBAWS_VAULT\\fR already set refuses nesting. Keys stay "
      "in kura's own store: \\fBkura import \\-\\-from aws\\-vault\\fR copies aws\\-vault's once. Read "
      "only as aws\\-vault:\n";
  page += settings_section(Persona::aws_vault, true);
  page +=
      ".PP\nEvery command, flag and variable, and where kura differs (role sessions are cached, \\-d sets "
      "the duration of the credentials asked for): \\fI/usr/share/doc/kura/AWS\\-VAULT.md\\fR.\n";
  page +=
      ".SH AWS\\-MFA\n"
      "Run as \\fBaws\\-mfa\\fR, kura is \\fBkura mfa\\fR: aws\\-mfa's flags and variables (MFA_DEVICE, "
      "MFA_STS_DURATION, MFA_ASSUME_ROLE), the long\\-term key read from \\fI[NAME\\-long\\-term]\\fR (or "
      "kura's store) and a short\\-term \\fI[NAME]\\fR written into \\fI~/.aws/credentials\\fR, edited "
      "losslessly, atomically and under a lock.\n";
  page +=
      ".SH FILES\n.TP\n\\fI~/.aws/config\\fR, \\fI~/.aws/credentials\\fR\nThe AWS CLI's files "
      "(\\fBAWS_CONFIG_FILE\\fR, \\fBAWS_SHARED_CREDENTIALS_FILE\\fR).\n"
      ".TP\n\\fI$XDG_DATA_HOME/kura/file\\-store/\\fR\nThe encrypted file store.\n"
      ".TP\n\\fI$XDG_CONFIG_HOME/kura/backend\\fR\nThe keystore backend chosen.\n"
      ".TP\n\\fI$XDG_STATE_HOME/kura/trust/\\fR\nTrust policies as they were before \\fBkura trust\\fR "
      "changed them.\n";
  page +=
      ".SH EXIT STATUS\n0 on success; 1 on an error; 2 on a usage error; \\fBexec\\fR exits with its "
      "command's status; \\fBtrust diff\\fR exits 1 when a policy differs.\n";
  page += ".SH SEE ALSO\n\\fBaws\\fR(1), \\fBpass\\fR(1), \\fBkeyctl\\fR(1)\n";
  return page;
}

}  // namespace kura
