#!/usr/bin/env python3
"""Times whole processes as interleaved runs: round after round, every command once, in turn, so the noise of a
shared machine falls on all of them alike. With --shuffle each round takes the commands in another (seeded)
order: a command that follows another binary starts with colder caches than one that follows itself (10-20% on
this machine for kura's hit), and a fixed order gives that to the same commands in every round. Reports the
median wall time, the ratio to the first command (the baseline, e.g. /bin/true) with its 95% bootstrap interval
(rounds resampled whole), and the spread, as a Markdown table. (Peak RSS is measured apart, with GNU time:
posix_spawn's child starts in this Python's memory, so its ru_maxrss says nothing about the command.)

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


def ratio_intervals(times, base_name, resamples=1000):
    """For each command, where the ratio of its median to the baseline's falls in 95% of bootstrap resamples.
    Rounds are resampled whole (each command's run of a round with the baseline's run of the same round), as
    the noise of a round falls on all of its runs."""
    rounds = len(times[base_name])
    picker = random.Random(7)
    ratios = {name: [] for name in times}
    for _ in range(resamples):
        picked = [picker.randrange(rounds) for _ in range(rounds)]
        base = statistics.median(times[base_name][i] for i in picked)
        for name, runs in times.items():
            ratios[name].append(statistics.median(runs[i] for i in picked) / base)
    out = {}
    for name, values in ratios.items():
        values.sort()
        out[name] = (values[int(len(values) * 0.025)], values[int(len(values) * 0.975) - 1])
    return out


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
    base_name = commands[0][0]
    base = statistics.median(times[base_name])
    intervals = ratio_intervals(times, base_name)
    print(f"| command | median | ratio to `{base_name}` | 95% interval of the ratio | p10–p90 |")
    print("| --- | --- | --- | --- | --- |")
    for name, _, _ in commands:
        t = sorted(times[name])
        median = statistics.median(t)
        p10, p90 = t[len(t) // 10], t[len(t) * 9 // 10]
        low, high = intervals[name]
        print(f"| {name} | {median:.2f} ms | {median / base:.2f}× | {low:.2f}–{high:.2f}× | {p10:.2f}–{p90:.2f} ms |")
    shuffled = ", each in another order" if args.shuffle else ""
    print(f"\n{args.runs} interleaved rounds{shuffled}, after {args.warmup} warm-up rounds.")


if __name__ == "__main__":
    main()
