#!/usr/bin/env python3
"""Times whole processes as interleaved runs: round after round, every command once, in turn, so the noise of a
shared machine falls on all of them alike. With --shuffle each round takes the commands in another (seeded)
order: a command that follows another binary starts with colder caches than one that follows itself (10-20% on
this machine for kura's hit), and a fixed order gives that to the same commands in every round. Reports the
median wall time, the ratio to the first command (the baseline, e.g. /bin/true) and the spread, as a Markdown
table. (Peak RSS is measured apart, with GNU time: posix_spawn's child starts in this Python's memory, so its
ru_maxrss says nothing about the command.)

  interleave.py [--runs N] [--warmup N] [--shuffle] NAME=COMMAND [NAME=COMMAND ...]

COMMAND is split on spaces; `ENV=value` words before the program set its environment. Every command must exit
0 (a cache miss turning into an error is caught that way)."""
import argparse
import os
import random
import shlex
import statistics
import time


def parse(spec):
    name, _, command = spec.partition("=")
    words = shlex.split(command)
    env = dict(os.environ)
    while words and "=" in words[0] and not words[0].startswith("/"):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    return name, words, env


def run_once(argv, env):
    devnull = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                                             (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    return elapsed / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--shuffle", action="store_true", help="each round in another order (seeded)")
    parser.add_argument("commands", nargs="+")
    args = parser.parse_args()
    commands = [parse(spec) for spec in args.commands]
    times = {name: [] for name, _, _ in commands}
    order = list(commands)
    shuffler = random.Random(20261124)
    for round_ in range(args.warmup + args.runs):
        if args.shuffle:
            shuffler.shuffle(order)
        for name, argv, env in order:
            ms = run_once(argv, env)
            if round_ >= args.warmup:
                times[name].append(ms)
    base = statistics.median(times[commands[0][0]])
    print(f"| command | median | ratio to `{commands[0][0]}` | p10–p90 |")
    print("| --- | --- | --- | --- |")
    for name, _, _ in commands:
        t = sorted(times[name])
        median = statistics.median(t)
        p10, p90 = t[len(t) // 10], t[len(t) * 9 // 10]
        print(f"| {name} | {median:.2f} ms | {median / base:.2f}× | {p10:.2f}–{p90:.2f} ms |")
    shuffled = ", each in another order" if args.shuffle else ""
    print(f"\n{args.runs} interleaved rounds{shuffled}, after {args.warmup} warm-up rounds.")


if __name__ == "__main__":
    main()
