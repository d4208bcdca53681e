// Command lines run for their output (credential_process, web_identity_token_process): split without a shell
// unless they need one, stdout captured and bounded, stderr passed through, failures named.
#include "process/capture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

namespace kura {
namespace {

const std::vector<std::string> k_env = {"PATH=/usr/bin:/bin"};
constexpr size_t k_max = 64 * 1024;

using Words = std::vector<std::string>;

// Kura's stderr (fd 2) sent to a temporary file while it lives.
class StderrCapture {
 public:
  StderrCapture() : m_file(std::tmpfile()), m_saved(::dup(2)) {
    std::fflush(stderr);
    ::dup2(::fileno(m_file), 2);
  }
  ~StderrCapture() {
    restore();
    std::fclose(m_file);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string text() {
    restore();
    std::string out;
    std::rewind(m_file);
    for (int c = std::fgetc(m_file); c != EOF; c = std::fgetc(m_file)) out += static_cast<char>(c);
    return out;
  }

 private:
  void restore() {
    if (m_saved < 0) return;
    std::fflush(stderr);
    ::dup2(m_saved, 2);
    ::close(m_saved);
    m_saved = -1;
  }
  std::FILE* m_file;
  int m_saved;
};

TEST(CommandArgv, PlainWordsAndQuotesAreSplitWithoutAShell) {
  const std::pair<const char*, Words> cases[] = {
      {"aws-vault export --format=json dev", {"aws-vault", "export", "--format=json", "dev"}},
      {"  tool\t a  ", {"tool", "a"}},
      {"printf '%s|%s;$HOME' \"a b\" c", {"printf", "%s|%s;$HOME", "a b", "c"}},
      {"x\"y z\"w '' \"\"", {"xy zw", "", ""}},
      {"'/opt/my tools/cred' --profile 'it''s'", {"/opt/my tools/cred", "--profile", "its"}},
  };
  for (const auto& [line, words] : cases) {
    auto argv = command_argv(line);
    ASSERT_TRUE(argv) << line << ": " << argv.error().message;
    EXPECT_EQ(*argv, words) << line;
  }
}

TEST(CommandArgv, ShellSyntaxOutsideSingleQuotesGoesToTheShell) {
  for (const char* line : {"a | b", "a; b", "a && b", "echo $HOME", "echo \"$HOME\"", "echo \"a\\\"b\"",
                           "a > f", "AWS_PROFILE=x tool", "echo *.json", "a \\ b", "a\nb", "echo `id`", "(a)",
                           "a # c", "cat ~/.token", "echo a\\'b"}) {
    auto argv = command_argv(line);
    ASSERT_TRUE(argv) << line << ": " << argv.error().message;
    EXPECT_EQ(*argv, (Words{"/bin/sh", "-c", line})) << line;
  }
}

TEST(CommandArgv, EmptyLinesAndOpenQuotesAreErrors) {
  for (const char* line : {"", "  \t ", "echo 'x", "echo \"x", "a 'b\"c"}) {
    auto argv = command_argv(line);
    EXPECT_FALSE(argv) << line;
  }
  EXPECT_NE(command_argv("echo \"x").error().message.find("unterminated double quote"), std::string::npos);
}

TEST(RunCommandOutput, CapturesStandardOutput) {
  auto plain = run_command_output("printf '%s\\n' 'a b'", k_env, k_max);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->view(), "a b\n");
  auto shell = run_command_output("printf x; printf y", k_env, k_max);
  ASSERT_TRUE(shell) << shell.error().message;
  EXPECT_EQ(shell->view(), "xy");
}

TEST(RunCommandOutput, TheChildGetsTheGivenEnvironmentAndNoInput) {
  auto got = run_command_output("printf %s \"$KURA_TEST_VALUE\"",
                                {"PATH=/usr/bin:/bin", "KURA_TEST_VALUE=given"}, k_max);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->view(), "given");
  auto input = run_command_output("cat", k_env, k_max);  // would wait forever on a terminal
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(input->view(), "");
}

TEST(RunCommandOutput, AFailureNamesTheProgramItsStatusAndItsLastErrorLine) {
  StderrCapture captured;
  auto failed = run_command_output("sh -c 'echo first >&2; echo \"last words\" >&2; echo partial; exit 3'",
                                   k_env, k_max);
  std::string passed_through = captured.text();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "'sh' exited with status 3: last words");
  EXPECT_EQ(passed_through, "first\nlast words\n");

  auto shell = run_command_output("true && exit 4", k_env, k_max);
  ASSERT_FALSE(shell);
  EXPECT_EQ(shell.error().message, "'true' exited with status 4");

  auto missing = run_command_output("kura-no-such-program --x", k_env, k_max);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot run 'kura-no-such-program'"), std::string::npos)
      << missing.error().message;
}

TEST(RunCommandOutput, OutputBeyondTheBoundIsRefusedAndTheProgramStopped) {
  auto exact = run_command_output("head -c 1000 /dev/zero", k_env, 1000);
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_EQ(exact->size(), 1000u);
  auto over = run_command_output("head -c 1001 /dev/zero", k_env, 1000);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message,
            "'head' wrote more than 1000 bytes to its standard output; kura stopped it");
  auto endless = run_command_output("yes", k_env, 1000);  // returns only because the program is stopped
  ASSERT_FALSE(endless);
  EXPECT_NE(endless.error().message.find("kura stopped it"), std::string::npos);
}

}  // namespace
}  // namespace kura
