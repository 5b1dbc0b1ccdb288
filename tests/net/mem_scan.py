#!/usr/bin/env python3
"""Counts where byte strings occur in a running process's readable memory.

usage: mem_scan.py PID NEEDLE_HEX...  ->  one "NEEDLE_HEX COUNT" line each

Reads /proc/PID/mem over every readable mapping (heap, stacks, anonymous
memory, ASan's quarantine of freed blocks) and skips what cannot hold a
copy of runtime data: mappings of files (code, libraries) and giant
reservations (ASan's shadow). Guarded sodium memory (no access) is not
readable and is therefore not scanned: a key there is where it belongs."""
import sys

LIMIT = 1 << 30


def regions(pid):
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            path = parts[5] if len(parts) > 5 else ""
            if parts[1][0] != "r" or hi - lo > LIMIT:
                continue
            if path.startswith("/") or path in ("[vvar]", "[vsyscall]", "[vdso]"):
                continue
            yield lo, hi


def main():
    pid = int(sys.argv[1])
    needles = [bytes.fromhex(h) for h in sys.argv[2:]]
    counts = [0] * len(needles)
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for lo, hi in regions(pid):
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except OSError:
                continue
            for i, n in enumerate(needles):
                counts[i] += data.count(n)
    for h, c in zip(sys.argv[2:], counts):
        print(h, c)


if __name__ == "__main__":
    main()
