"""Mininet's logging: ``setLogLevel('info')``, ``info()``, ``output()``, ``debug()``,
``warn()``, ``error()`` and the ``lg`` object.

As in Mininet, messages are written as given (no newline is added), to standard error,
and only at or above the level set (default: output). The stream is looked up at every
write, so output captured by the CLI's ``py`` is captured here too.
"""

import sys

DEBUG, INFO, OUTPUT, WARNING, ERROR, CRITICAL = 10, 20, 25, 30, 40, 50
LEVELS = {'debug': DEBUG, 'info': INFO, 'output': OUTPUT, 'warning': WARNING,
          'warn': WARNING, 'error': ERROR, 'critical': CRITICAL}
LOGLEVELDEFAULT = OUTPUT


class MininetLogger(object):
    """The ``lg`` object: a level and the functions that print at each level."""

    def __init__(self):
        self.level = LOGLEVELDEFAULT

    def setLogLevel(self, levelname=None):
        if levelname is None:
            self.level = LOGLEVELDEFAULT
            return
        if levelname not in LEVELS:
            raise ValueError('setLogLevel(%r): the levels are %s' % (levelname, ', '.join(sorted(LEVELS))))
        self.level = LEVELS[levelname]

    def isEnabledFor(self, level):
        return level >= self.level

    def _log(self, level, args):
        if level < self.level:
            return
        stream = sys.stderr
        stream.write(' '.join(str(a) for a in args))
        stream.flush()

    def debug(self, *args):
        self._log(DEBUG, args)

    def info(self, *args):
        self._log(INFO, args)

    def output(self, *args):
        self._log(OUTPUT, args)

    def warning(self, *args):
        self._log(WARNING, args)

    warn = warning

    def error(self, *args):
        self._log(ERROR, args)

    def critical(self, *args):
        self._log(CRITICAL, args)


lg = MininetLogger()
setLogLevel = lg.setLogLevel
debug, info, output, warning, warn, error, critical = (
    lg.debug, lg.info, lg.output, lg.warning, lg.warn, lg.error, lg.critical)
