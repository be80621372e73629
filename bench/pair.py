#!/usr/bin/env python3
"""Time commands for `make bench`, as whole processes.

pair.py N 'CMD A' ['CMD B']: runs A and B in turn (A B A B ...) N times
after one warm-up each, and prints one line:
  wall_a wall_b cpu_a cpu_b rss_a rss_b wall_ratio cpu_ratio
(medians in seconds and KiB; ratios are the medians of the per-pair
ratios A/B, so a drift in the machine's speed cancels out). Without B,
the B columns are 0. A command is split like a shell's words; a last
"< FILE" gives its standard input; its output is thrown away. Times come
from wait4(): the child's own CPU time, and the wall time from spawn to
reaping.
"""
import os
import shlex
import statistics
import sys
import time


def parse(cmd):
    words = shlex.split(cmd)
    stdin = None
    if len(words) >= 2 and words[-2] == "<":
        stdin = words[-1]
        words = words[:-2]
    return words, stdin


def run(words, stdin):
    fin = os.open(stdin or os.devnull, os.O_RDONLY)
    fout = os.open(os.devnull, os.O_WRONLY)
    acts = [(os.POSIX_SPAWN_DUP2, fin, 0), (os.POSIX_SPAWN_DUP2, fout, 1),
            (os.POSIX_SPAWN_DUP2, fout, 2)]
    t0 = time.perf_counter()
    pid = os.posix_spawnp(words[0], words, os.environ, file_actions=acts)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(fin)
    os.close(fout)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main():
    n = int(sys.argv[1])
    a = parse(sys.argv[2])
    b = parse(sys.argv[3]) if len(sys.argv) > 3 else None
    run(*a)
    if b:
        run(*b)
    ra, rb = [], []
    for _ in range(n):
        ra.append(run(*a))
        if b:
            rb.append(run(*b))
    med = lambda v: statistics.median(v) if v else 0
    wa, ca, ma = (med([r[i] for r in ra]) for i in range(3))
    wb, cb, mb = (med([r[i] for r in rb]) for i in range(3))
    wr = med([x[0] / y[0] for x, y in zip(ra, rb) if y[0] > 0])
    cr = med([x[1] / y[1] for x, y in zip(ra, rb) if y[1] > 0])
    print("%.6f %.6f %.6f %.6f %d %d %.4f %.4f" % (wa, wb, ca, cb, ma, mb, wr, cr))


main()
