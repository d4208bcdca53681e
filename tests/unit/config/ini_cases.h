// INI files for tests that compare readers: a fixed list of tricky files, a generator of random ones
// (ini_oracle_test.cpp against botocore, config_index_test.cpp between the lazy and the full reader) and big
// generated configs (config_index_test.cpp, index_cache_test.cpp).
#pragma once

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace kura::ini_cases {

// Files where the two readers could part ways: indentation levels, values across blank and comment lines,
// nested blocks, line endings, headers with text after them, Python's idea of whitespace.
inline const std::vector<std::string> k_fixed_cases = {
    "",
    "# only a comment\n",
    "[p]\naws_secret_access_key = SECRET\naws_session_token = OLDTOKEN\n# note\n  OLDTOKENTAIL\n",
    "[d]\n  [e]\nx = 1\n",
    "[d]\nc = v\n  [e]\nx = 1\n",
    "[a]\rx = 1\ry = 2\r",
    "[a]\r\nx = 1\ry = 2\nz = 3",
    "[a]junk\nx = 1\n",
    "[a] [b]\nx = 1\n",
    "[a] ; comment\nx = 1\n",
    "[a]]\nx = 1\n",
    "[]\n",
    "[]]\nx = 1\n",
    "[a\nx = 1\n",
    "[ spaced ]\nx = 1\n",
    "[profile  two  spaces ]\nx = 1\n",
    "[a]\nk = v\n  j = w\n",
    "[a]\n  k = v\n  j = w\n",
    "[a]\n  k = v\nj = w\n  deeper\n",
    "[a]\n\tk = v\n  j = w\n",
    "[a]\n  k = v\n\tj = w\n",
    "[a]\nk = v\n\n  more\nnext = 1\n",
    "[a]\nk = v\n\n\n  more\n\n\nnext = 1\n\n",
    "[a]\nk = v\n# c\n  more\n",
    "[a]\nk = v\n  # c\n  more\n; c\n\n  last\n",
    "[s]\nsts =\n  endpoint_url = http://localhost:1\n  other = x\ns3 =\n  max = 1\n",
    "[s]\nsts =\n\n  endpoint_url = x\n\n  # comment\n  b = 2\n",
    "[s]\nsts =\n  a: b = c\n  Endpoint_URL = x = y\n",
    "[s]\nsts =\n  a: b\n",
    "[s]\nsts =\n  = x\n",
    "[s]\nsts =\n  a = 1\n  a = 2\n",
    "[s]\nsts =\n  a = 1\x0b b = 2\n",
    "[s]\nk = first\n  a = 1\n",
    "[s]\nk =\n\n\n",
    "[s]\nk =   \n  \n",
    "[a]\nk = v\u00a0\n",
    "[a]\n\u3000k = v\n  j = w\n",
    "[a]\n\u00a0k = v\n j = w\n",
    "[a]\nk\u2003= v\u2003\n",
    "[a]\x1c\nk = v\n",
    "[a]\nk = a\x0b"
    "b\n",
    "[DEFAULT]\nregion = x\n[a]\nk = v\n",
    "[a]\nRegion = x\nREGION = y\n",
    "[a]\nKey = 1\n",
    "[a]\nkey:value:more\nother=a=b\n",
    "[a]\n\u041a\u043b\u044e\u0447 = v\n",
    "[a]\nk = v # not a comment\n",
    "\xef\xbb\xbf[a]\nk = v\n",
    "[a]\nk = \xff\n",
    "[a]\n= v\n",
    "k = v\n[a]\n",
    "  [a]\n  k = v\n   cont\n",
    "[a]\nk = v\n  [b]\n  x = 1\n[c]\n",
    "[a]\nk = v\n[a]\n",
    "[a]\n[b]\n",
    "[a]\nk = v\n\n[b]\n  ; comment\n  j = w\n",
    "[a]\n\t\n  \nk = v\n",
    "[a]\nk = \n  \n    x = 1\n",
    "[a]\nk=\n  x=1\n  y=2\nz=3",
    "[a]\nk = v\r\n  w\rx = 1\r\n",
};

// A random file from pieces that are each plausible in a real ~/.aws file, mixed so that indentation,
// blank and comment lines fall in every position.
inline std::string random_file(std::mt19937& random) {
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  auto chance = [&](unsigned percent) { return random() % 100 < percent; };
  const std::vector<std::string> endings = {"\n", "\r\n", "\r"};
  const std::string eol = pick(endings);
  const bool mixed = chance(10);
  std::string text;
  std::set<std::string> used_sections;
  const int lines = static_cast<int>(random() % 14);
  for (int i = 0; i < lines; ++i) {
    std::string indent = chance(60) ? "" : pick({" ", "  ", "\t", "    ", "  \t", "\u00a0", "\u3000 "});
    std::string line;
    unsigned kind = static_cast<unsigned>(random() % 100);
    if (i == 0 && chance(85)) kind = 0;  // most files start with a header
    if (kind < 14) {
      std::string name = pick({"default", "profile a", "a", "b", " c ", "profile  d", "services s", "e"});
      if (used_sections.count(name) && chance(90)) name += std::to_string(i);
      used_sections.insert(name);
      line = "[" + name + "]";
      if (chance(4)) line += pick({"x", " [b]", " ; c", "]"});
      if (chance(1)) line = pick({"[DEFAULT]", "[]", "[a"});
    } else if (kind < 50) {
      std::string key =
          pick({"k", "key", "Region", "aws_access_key_id", "sts", "x y", "s3", "j", "k" + std::to_string(i)});
      std::string value = pick(
          {"v", "", "a=b", "x: y", "#notcomment", "  spaced  ", "\u00a0nb\u00a0", "1", "http://h:1/", "[x]"});
      line = key + pick({" = ", "=", ": ", " : ", " =", "\t=\t"}) + value;
    } else if (kind < 62) {
      line = pick({"  endpoint_url = http://x", "   a = 1", "\tb=2", "  c : 3 = 4", "    = 5"});
    } else if (kind < 72) {
      line = pick({"more", "[x]", "k = v", "   text  ", "a\x0b b = 1"});
    } else if (kind < 84) {
      line = pick({"# comment", "; comment", "#", "  # indented", "\t; tab"});
    } else if (kind < 97) {
      line = pick({"", " ", "\t", "  "});
      indent.clear();
    } else {
      line = pick({"junk", "\xff = x", "k = \xc3", "\x1c", "ünï = 1"});
    }
    text += indent + line;
    if (i + 1 < lines || chance(85)) text += mixed ? pick(endings) : eol;
  }
  return text;
}

// `count` profiles like bench/make_config.py writes, `middle` placed among them.
inline std::string big_config(int count, const std::string& middle, const std::string& eol = "\n") {
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i == count / 2) text += middle;
    char name[16];
    std::snprintf(name, sizeof name, "%05d", i);
    text += "# account " + std::string(name) + eol + "[profile acct-" + name + "]" + eol +
            "source_profile = login" + eol + "role_arn = arn:aws:iam::" + std::to_string(100000000000 + i) +
            ":role/admin" + eol + "region = eu-west-1" + eol + eol;
  }
  return text;
}

}  // namespace kura::ini_cases
