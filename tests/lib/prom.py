"""A strict reader of the Prometheus text exposition format 0.0.4, for the
net tests: every line must be a HELP, a TYPE or a sample of the family just
announced (families whole and never repeated, HELP and TYPE before the
samples, counters named *_total), label values escaped as the format says,
no series twice. Raises ValueError naming the line; returns
{(name, ((label, value), ...)): float}. promtool, where installed, checks
the same text too (tests/net/ctl_metrics.sh)."""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'"((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r'^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*)\})? (\S+)$' % (NAME, LABEL, VALUE, LABEL, VALUE))
PAIR = re.compile(r'(%s)=%s' % (LABEL, VALUE))
UNESCAPE = {'\\\\': '\\', '\\"': '"', '\\n': '\n'}


def parse(text):
    out, seen, family, typ = {}, set(), None, None
    if not text.endswith('\n'):
        raise ValueError('no final line feed')
    for n, line in enumerate(text.split('\n')[:-1], 1):
        m = re.match(r'^# (HELP|TYPE) (%s) (.*)$' % NAME, line)
        if m:
            kind, name, rest = m.groups()
            if kind == 'HELP':
                if name in seen:
                    raise ValueError('%d: family %s again' % (n, name))
                seen.add(name)
                family, typ = name, None
            elif name != family or typ is not None or rest not in ('counter', 'gauge'):
                raise ValueError('%d: TYPE out of place: %r' % (n, line))
            else:
                typ = rest
                if typ == 'counter' and not name.endswith('_total'):
                    raise ValueError('%d: counter %s without _total' % (n, name))
            continue
        m = SAMPLE.match(line)
        if not m or m.group(1) != family or typ is None:
            raise ValueError('%d: not a sample of %s: %r' % (n, family, line))
        labels = tuple((k, re.sub(r'\\[\\"n]', lambda e: UNESCAPE[e.group(0)], v))
                       for k, v in PAIR.findall(m.group(2) or ''))
        if len({k for k, _ in labels}) != len(labels):
            raise ValueError('%d: a label twice' % n)
        value = float(m.groups()[-1])
        if typ == 'counter' and value < 0:
            raise ValueError('%d: negative counter' % n)
        key = (m.group(1), labels)
        if key in out:
            raise ValueError('%d: series twice: %r' % (n, line))
        out[key] = value
    return out


def value(metrics, name, **labels):
    """The sample of name whose labels include these (exactly one)."""
    hits = [v for (k, ls), v in metrics.items()
            if k == name and all((l, str(x)) in ls for l, x in labels.items())]
    if len(hits) != 1:
        raise KeyError('%s %r: %d samples' % (name, labels, len(hits)))
    return hits[0]


if __name__ == '__main__':
    for path in sys.argv[1:]:
        parse(open(path, encoding='utf-8').read())
