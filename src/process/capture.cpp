// A command line's standard output, captured into a Secret.
#include "process/capture.h"

#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "process/runner.h"
#include "util/strings.h"

namespace kura {

namespace {

struct CommandLine {
  std::vector<std::string> argv;
  std::string program;  // for messages: the first word
};

Result<CommandLine> parse_command_line(const std::string& line) {
  constexpr std::string_view k_shell_syntax = "|&;<>()$`\\*?[]#~{}!\n";
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // apart from `word` being empty: "" is an empty word
  bool shell = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\' && quote != '\'' && i + 1 < line.size()) {
      // An escape: the shell's to read, and the next character is no quote to track.
      shell = true;
      word += line.substr(i, 2);
      in_word = true;
      ++i;
    } else if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        shell = shell || c == '$' || c == '`' || c == '\\';  // still expanded inside double quotes
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      // An '=' in the first word may be an assignment (`AWS_PROFILE=x tool`): the shell knows.
      shell = shell || k_shell_syntax.find(c) != std::string_view::npos || (c == '=' && words.empty());
      word += c;
      in_word = true;
    }
  }
  if (quote) {
    return make_error(std::string("the command line has an unterminated ") +
                      (quote == '\'' ? "single" : "double") + " quote");
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return make_error("the command line is empty");
  std::string program = "'" + printable(words[0], 80) + "'";
  if (shell) return CommandLine{{"/bin/sh", "-c", line}, std::move(program)};
  return CommandLine{std::move(words), std::move(program)};
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // kura's stderr is gone: nothing better to do with the child's
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// The last non-empty line of `text`.
std::string_view last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  size_t newline = text.rfind('\n');
  return newline == std::string_view::npos ? text : text.substr(newline + 1);
}

}  // namespace

Result<std::vector<std::string>> command_argv(const std::string& command_line) {
  auto parsed = parse_command_line(command_line);
  if (!parsed) return parsed.error();
  return std::move(parsed->argv);
}

Result<Secret> run_command_output(const std::string& command_line,
                                  const std::vector<std::string>& environment, size_t max_bytes) {
  auto command = parse_command_line(command_line);
  if (!command) return command.error();
  constexpr size_t k_kept_stderr = 1024;  // enough for its last line
  std::string out;
  out.reserve(max_bytes);  // never reallocated, so no unwiped copy of the output is left behind
  std::string err_end;
  bool too_much = false;
  auto status = run_chunks(command->argv, environment, [&](OutputStream stream, std::string_view chunk) {
    if (stream == OutputStream::err) {
      write_all(STDERR_FILENO, chunk);
      err_end.append(chunk);
      if (err_end.size() > k_kept_stderr) err_end.erase(0, err_end.size() - k_kept_stderr);
      return true;
    }
    if (chunk.size() > max_bytes - out.size()) {
      too_much = true;
      return false;
    }
    out.append(chunk);
    return true;
  });
  if (!status || too_much || *status != 0) wipe_string(out);
  if (!status) return status.error();
  if (too_much) {
    return make_error(command->program + " wrote more than " + std::to_string(max_bytes) +
                      " bytes to its standard output; kura stopped it");
  }
  if (*status != 0) {
    std::string why = printable(last_line(err_end), 200);
    return make_error(command->program + " exited with status " + std::to_string(*status) +
                      (why.empty() ? "" : ": " + why));
  }
  return Secret(std::move(out));
}

}  // namespace kura
