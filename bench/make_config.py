#!/usr/bin/env python3
"""Writes a large ~/.aws/config for benchmarks: N role profiles (with source_profile, role_arn, mfa_serial,
region and a comment each, ~120 bytes a profile, like an organisation's generated config), plus the sections of
a small config file given on the command line, placed in the middle so a scanner cannot win by luck.
  make_config.py N small-config > big-config"""
import sys

count = int(sys.argv[1])
small = open(sys.argv[2]).read()
out = []
for i in range(count):
    if i == count // 2:
        out.append(small.rstrip("\n") + "\n")
    out.append(f"# account {i:05d}\n[profile acct-{i:05d}-admin]\nsource_profile = login\n"
               f"role_arn = arn:aws:iam::{100000000000 + i}:role/iamAdmin\n"
               f"mfa_serial = arn:aws:iam::999999999999:mfa/someone\nregion = eu-west-1\n")
sys.stdout.write("\n".join(out))
