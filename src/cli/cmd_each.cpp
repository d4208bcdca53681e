// kura each: one command per profile on a bounded pool, output prefixed (or grouped), a summary on stderr.
#include <unistd.h>

#include <mutex>

#include "cli/commands.h"
#include "crypto/sodium.h"
#include "util/parallel.h"
#include "util/strings.h"

namespace kura {

namespace {

void write_err(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(2, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

std::string seconds_text(std::chrono::milliseconds took) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(took.count()) / 1000.0);
  return text;
}

struct Outcome {
  std::string status;  // "exit 0", "exit 2", "no credentials", "cannot run"
  bool ok = false;
  std::chrono::milliseconds took{0};
};

}  // namespace

void bind_each(FlagSet& flags, EachInput& input) {
  bind_bulk_flags(flags, input.bulk);
  flags.flag("--group", &input.group, "print each profile's output whole when it finishes, not line by line");
  flags.rest("COMMAND", &input.command, "the command and its arguments, after --");
}

Result<void> run_each(Context& context, const EachInput& input) {
  if (input.command.empty()) {
    return make_error("a command is required", "kura each PROFILE... -- COMMAND [ARGS]");
  }
  if (input.bulk.profiles.empty())
    return make_error("no profile given", "name profiles or globs, e.g. 'prod-*'");
  if (auto nested = context.env().get("KURA_PROFILE")) {
    return make_error("already inside `kura exec` for profile '" + *nested + "'",
                      "exit that shell first, or unset KURA_PROFILE if it is stale");
  }
  auto parallel = parallelism(input.bulk.parallel);
  if (!parallel) return parallel.error();
  auto names = bulk_profiles(context, input.bulk);
  if (!names) return names.error();
  std::vector<BulkCredentials> all = credentials_for_all(context, *names, input.bulk, *parallel);

  size_t width = 0;
  for (const std::string& name : *names) width = std::max(width, name.size());
  std::mutex output;
  std::vector<Outcome> outcomes(all.size());
  std::vector<size_t> runnable;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].credentials) {
      runnable.push_back(i);
    } else {
      outcomes[i] = {"no credentials", false, all[i].took};
    }
  }
  (void)sodium_ready();  // before threads that may use crypto/ (crypto/sodium.h)
  run_parallel(runnable.size(), *parallel, [&](size_t r) {
    const size_t i = runnable[r];
    const std::string& name = all[i].name;
    std::string prefix = name + std::string(width - name.size(), ' ') + " | ";
    std::vector<std::pair<OutputStream, std::string>> held;  // --group
    auto sink = [&](OutputStream stream, std::string_view line) {
      if (input.group) {
        held.emplace_back(stream, std::string(line));
        return;
      }
      std::string text = prefix;
      text.append(line);
      text.push_back('\n');
      std::lock_guard<std::mutex> lock(output);
      if (stream == OutputStream::out) {
        context.out(text);
      } else {
        write_err(text);
      }
    };
    std::vector<std::string> environment = exec_environment(context.env(), *all[i].credentials);
    auto started = std::chrono::steady_clock::now();
    auto status = context.deps().runner.run_lines(input.command, environment, sink);
    auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    for (std::string& entry : environment) wipe_string(entry);
    std::lock_guard<std::mutex> lock(output);
    if (input.group) {
      context.out("==> " + name + " <==\n");
      for (const auto& [stream, line] : held) {
        if (stream == OutputStream::out) {
          context.out(line + "\n");
        } else {
          write_err(line + "\n");
        }
      }
    }
    if (!status) {
      outcomes[i] = {"cannot run", false, took};
      write_err("kura: error: " + name + ": " + status.error().message + "\n");
    } else {
      outcomes[i] = {"exit " + std::to_string(*status), *status == 0, took};
    }
  });

  // The summary: every profile, in the order asked, with why it failed.
  bool all_ok = true;
  std::string summary = "\n" + std::string("profile") + std::string(width > 7 ? width - 7 : 0, ' ') +
                        "  status          time\n";
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].error) {
      write_err("kura: error: " + all[i].name + ": " + all[i].error->message + "\n");
      if (!all[i].error->hint.empty()) write_err("kura: hint: " + all[i].error->hint + "\n");
    }
    const std::string& name = all[i].name;
    std::string status = outcomes[i].status;
    status.resize(std::max<size_t>(status.size(), 14), ' ');
    summary += name + std::string(std::max(width, size_t(7)) - name.size(), ' ') + "  " + status + "  " +
               seconds_text(outcomes[i].took) + "\n";
    all_ok = all_ok && outcomes[i].ok;
  }
  write_err(summary);
  if (!all_ok) context.set_exit_code(1);
  return {};
}

}  // namespace kura
