"""Errors the package raises, and how a script that hits one ends: one line, exit 2.

A script's own mistakes (a NameError in its code) keep Python's traceback; what the
package refuses (a feature swiftnet does not have, a topology it cannot build, a network
that has gone) is one line that says what to do instead, never a traceback from inside
the package.
"""

import os
import sys


class MininetError(Exception):
    """Something the package or the engine refused; its text is the whole message."""


class Unsupported(MininetError):
    """A Mininet feature swiftnet does not have. The message names it and the way out."""

    def __init__(self, feature, instead):
        MininetError.__init__(self, '%s is not available in swiftnet: %s' % (feature, instead))


class EngineError(MininetError):
    """The engine refused a request or has gone."""


_previous_hook = sys.excepthook


def _hook(kind, value, tb):
    if issubclass(kind, MininetError):
        sys.stdout.flush()
        sys.stderr.write('*** swiftnet: %s\n' % value)
        sys.stderr.flush()
        _shutdown()
        os._exit(2)
    if issubclass(kind, KeyboardInterrupt):
        sys.stdout.flush()
        sys.stderr.write('\n*** Interrupted: the network is stopped\n')
        sys.stderr.flush()
        _shutdown()
        os._exit(130)
    _previous_hook(kind, value, tb)


def _shutdown():
    """Stops every network this process still runs (they would stop anyway once the
    process is gone; this only waits for it)."""
    from mininet import _engine
    _engine.stop_all()


def install_excepthook():
    if sys.excepthook is not _hook:
        sys.excepthook = _hook
