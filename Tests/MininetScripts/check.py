"""What the corpus scripts share: check() records a failure, done() ends the script
with status 1 if any check failed (and prints PASS otherwise)."""

import sys

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print('FAIL: %s' % what, flush=True)


def done(name):
    if failures:
        print('%s: %d checks failed' % (name, len(failures)), flush=True)
        sys.exit(1)
    print('PASS %s' % name, flush=True)
