"""Mininet ``--custom`` files for swiftnet's command line (``swiftnet --custom
FILE.py --topo NAME``): a file's ``topos`` and ``tests`` dictionaries, as Mininet reads
them. Run by swiftnet, not by hand:

    python3 -m mininet._custom topology --topo NAME[,ARGS] [--link tc] FILE.py...
        prints {"text": TOPOLOGY, "lines": {LINE: [FILE, LINE]}} for swiftnet to build
    python3 -m mininet._custom test --topo NAME[,ARGS] --test NAME[,ARGS] FILE.py...
        builds the topology and runs the file's test on it
    python3 -m mininet._custom names FILE.py...
        prints {"topos": [...], "tests": [...]}

A mistake in a file is one line, ``FILE:LINE: message``, and exit status 2.
"""

import json
import os
import sys
import traceback

from mininet.log import setLogLevel
from mininet.topo import SingleSwitchTopo, LinearTopo, SingleSwitchReversedTopo, MinimalTopo
from mininet.topolib import TreeTopo, TorusTopo
from mininet.util import splitArgs

TOPOS = {'minimal': MinimalTopo, 'linear': LinearTopo, 'reversed': SingleSwitchReversedTopo,
         'single': SingleSwitchTopo, 'tree': TreeTopo, 'torus': TorusTopo}


def fail(message):
    sys.stderr.write(message.rstrip() + '\n')
    sys.exit(2)


def where(path, exc):
    """FILE:LINE of the innermost frame of the exception that lies in path."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return '%s:%s' % (exc.filename, exc.lineno)
    line = None
    for f in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(f.filename) == os.path.abspath(path):
            line = f.lineno
    return '%s:%s' % (path, line) if line else path


def load(paths):
    """The topos and tests the files define (later files win, as in Mininet)."""
    topos, tests = dict(TOPOS), {}
    for path in paths:
        try:
            with open(path) as f:
                source = f.read()
        except OSError as e:
            fail('%s: cannot read the custom file: %s' % (path, e.strerror))
        customs = {'__file__': path, '__name__': '__mininet_custom__'}
        try:
            exec(compile(source, path, 'exec'), customs, customs)
        except SystemExit:
            fail('%s: the file exits when it is read; a --custom file defines topos = {...}' % path)
        except Exception as e:
            fail('%s: %s: %s' % (where(path, e), type(e).__name__, e))
        for key, into in (('topos', topos), ('tests', tests)):
            value = customs.get(key)
            if value is None:
                continue
            if not isinstance(value, dict):
                fail('%s: %s must be a dict of names to callables, such as %s = {"mytopo": MyTopo}' % (path, key, key))
            into.update(value)
    return topos, tests


def make(topos, spec, paths):
    name, args, kwargs = splitArgs(spec)
    if name not in topos:
        fail('--topo %s: no such topology; the custom files offer %s' % (name, ', '.join(sorted(topos))))
    try:
        return topos[name](*args, **kwargs)
    except Exception as e:
        path = next((p for p in paths if where(p, e) != p), paths[0] if paths else '<topo>')
        fail('%s: --topo %s: %s: %s' % (where(path, e), spec, type(e).__name__, e))


def option(argv, flag, default=None):
    if flag in argv:
        i = argv.index(flag)
        value = argv[i + 1]
        del argv[i:i + 2]
        return value
    return default


def main():
    argv = sys.argv[1:]
    mode = argv.pop(0) if argv else ''
    topo = option(argv, '--topo', 'minimal')
    test = option(argv, '--test')
    link = option(argv, '--link', '')
    paths = argv
    setLogLevel('warning')
    topos, tests = load(paths)
    if mode == 'names':
        own = [n for n in topos if topos[n] is not TOPOS.get(n)]
        print(json.dumps({'topos': sorted(own), 'tests': sorted(tests)}))
        return
    from mininet.net import Mininet, _runName
    from mininet.link import TCLink, Link
    linkClass = TCLink if link.startswith('tc') else Link
    if mode == 'topology':
        net = Mininet(topo=make(topos, topo, paths), build=False, link=linkClass)
        net.runName = _runName(os.path.basename(paths[0]) if paths else 'custom')
        net.buildFromTopo(net.topo)
        text, lines = net._topology()
        located = {}
        for line, key in lines.items():
            w = net._where.get(key)
            if w:
                located[str(line)] = [w[0], w[1]]
        print(json.dumps({'text': text, 'lines': located}))
    elif mode == 'test':
        name, args, kwargs = splitArgs(test or '')
        if name not in tests:
            fail('--test %s: no such test; the custom files define %s' % (name, ', '.join(sorted(tests)) or 'none'))
        setLogLevel('info')
        net = Mininet(topo=make(topos, topo, paths), link=linkClass, build=False)
        net.runName = _runName(os.path.basename(paths[0]) if paths else 'custom')
        net.start()
        try:
            tests[name](net, *args, **kwargs)
        finally:
            net.stop()
    else:
        fail('usage: python3 -m mininet._custom topology|test|names ...')


if __name__ == '__main__':
    main()
