// The static build's hand-over points (util/full_build.h) outside the credential chain: none without a
// handler, and each place that needs what only kura-full has hands over before it does anything.
#include "util/full_build.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "keyring/backends.h"
#include "prompt/prompt.h"
#include "util/dynamic_library.h"
#include "util/env.h"

namespace kura {
namespace {

using namespace kura::testing;

TEST(FullBuild, WithoutAHandlerNothingHappens) {
  need_full_build("a request");  // the full build, tests and tools: returns
  HandOverRecorder handed;
  need_full_build("a request");
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"a request"});
}

TEST(FullBuild, LoadingALibraryHandsOverFirst) {
  HandOverRecorder handed;
  DynamicLibrary library("libkura-no-such-library.so.0");
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"libkura-no-such-library.so.0"});
  EXPECT_FALSE(library.failure().empty());
}

TEST(FullBuild, TheTerminalPromptHandsOverBeforeItOpensTheTerminal) {
  HandOverRecorder handed;
  TtyPrompt prompt;
  (void)prompt.interactive();  // a question, not a prompt
  EXPECT_TRUE(HandOverRecorder::reasons().empty());
  (void)prompt.ask_line("code: ");
  (void)prompt.ask_secret("passphrase: ");
  (void)prompt.show("seed");
  (void)prompt.choose("profile", {"a", "b"}, "a");
  EXPECT_EQ(HandOverRecorder::reasons(),
            (std::vector<std::string>{"a prompt", "a prompt", "a prompt", "a prompt"}));
}

TEST(FullBuild, HomeHandsOverOnlyWhenItMustAskTheUserDatabase) {
  HandOverRecorder handed;
  EXPECT_EQ(Environment(std::map<std::string, std::string>{{"HOME", "/home/me"}}).home(), "/home/me");
  EXPECT_TRUE(HandOverRecorder::reasons().empty());
  (void)Environment().home();
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"the user database"});
}

// gpg may ask for a passphrase or a PIN when an item is read: the pass store is the full build's from the
// start.
TEST(FullBuild, ThePassStoreHandsOverBeforeItIsOpened) {
  HandOverRecorder handed;
  BackendOptions options;
  options.pass_dir = "/nonexistent/kura-test-password-store";
  (void)open_pass(options);
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"the pass store"});
}

TEST(FullBuild, ACurlTransportHandsOverBeforeItIsMade) {
  HandOverRecorder handed;
  auto transport = make_curl_transport(HttpOptions{});
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"a request"});
}

}  // namespace
}  // namespace kura
