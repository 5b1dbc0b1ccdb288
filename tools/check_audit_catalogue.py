#!/usr/bin/env python3
"""Every detail key an audit_emit() call in src/ writes must be listed for its
event in the catalogue of docs/audit-events.md, so the catalogue and the
records cannot drift apart (issue 10, item 7). Exit 0 when they agree, 1 with
one line per disagreement. Calls whose event is a variable are counted as
unchecked and named."""
import glob, os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")

def catalogue():
    text = open(os.path.join(root, "docs/audit-events.md"), encoding="utf-8").read()
    section = text.split("## The catalogue", 1)[1].split("\n## ", 1)[0]
    keys = {}
    for line in section.splitlines():
        cols = [c.strip() for c in line.split("|")]
        if len(cols) < 6 or not cols[1].startswith("`"):
            continue
        keys[cols[1].strip("`")] = set(re.findall(r"`([a-z0-9_]+)`", cols[4]))
    return keys

def args_of(src, start):
    """Top-level arguments of the call whose '(' is at start."""
    depth, i, cur, out, n = 0, start, "", [], len(src)
    while i < n:
        ch = src[i]
        if ch == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            cur += src[i:j + 1]
            i = j + 1
            continue
        if ch == "(":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                out.append(cur.strip())
                return out
        elif ch == "," and depth == 1:
            out.append(cur.strip())
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    return out

def main():
    cat, bad, unchecked = catalogue(), [], []
    for path in sorted(glob.glob(os.path.join(root, "src/**/*.c"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        for m in re.finditer(r"\baudit_emit\(", src):
            line = src.count("\n", 0, m.start()) + 1
            where = "%s:%d" % (os.path.relpath(path, root), line)
            a = args_of(src, m.end() - 1)
            if not re.fullmatch(r"AUDIT_[A-Z_]+", a[0]):
                if a[0] != "enum audit_event ev":
                    unchecked.append(where)
                continue
            ev = a[0][len("AUDIT_"):].lower()
            if ev not in cat:
                bad.append("%s: event %s is not in the catalogue" % (where, ev))
                continue
            for k in a[4::2]:
                for key in re.findall(r'"([a-z0-9_]+)"', k):
                    if key not in cat[ev]:
                        bad.append("%s: %s writes `%s`, the catalogue lists %s" %
                                   (where, ev, key, ", ".join(sorted(cat[ev])) or "nothing"))
    for b in bad:
        print(b)
    print("checked: %d disagreements; unchecked (event in a variable): %s" %
          (len(bad), ", ".join(unchecked) or "none"))
    return 1 if bad else 0

sys.exit(main())
