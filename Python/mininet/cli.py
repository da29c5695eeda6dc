"""Mininet's CLI: ``CLI(net)`` opens swiftnet's shell on the running network, on this
terminal (or runs ``script=``'s commands). Every Mininet command is there; ``py`` and
``px`` are evaluated here, in the script's process, with ``net`` and each node bound.
"""

import io
import os
import signal
import sys
import traceback

from mininet.log import info

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


class CLI(object):
    """The shell; it returns when the user types exit (or at the end of the script)."""

    prompt = 'mininet> '

    def __init__(self, mininet, stdin=sys.stdin, script=None, **kwargs):
        self.mn = mininet
        self.locals = {'net': mininet}
        self.globals = dict(sys.modules['__main__'].__dict__) if '__main__' in sys.modules else {}
        self.inputFile = script
        self.stdin = stdin
        info('*** Starting CLI:\n')
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.status = mininet._cli(self.prompt, script, self.evaluate)
        finally:
            signal.signal(signal.SIGINT, previous)

    def getLocals(self):
        self.locals.update(self.mn.nameToNode)
        return self.locals

    def evaluate(self, code, statement):
        """Runs one ``py``/``px``; returns (what it printed, whether it raised)."""
        return evaluate(code, statement, self.globals, self.getLocals())


def evaluate(code, statement, globs, locs):
    buffer = io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = buffer
    failed = False
    try:
        if statement:
            exec(code, globs, locs)
        else:
            result = eval(code, globs, locs)
            if result is not None:
                print(result if isinstance(result, str) else repr(result))
    except SystemExit:
        print('*** py: exit() ends the Python script, not the shell; type exit at the prompt')
        failed = True
    except Exception as e:
        # Mininet prints the exception's text; the last frame says where, in one line.
        frames = [f for f in traceback.extract_tb(sys.exc_info()[2])
                  if f.filename != '<string>' and not f.filename.startswith(_PACKAGE)]
        where = ' (%s:%s)' % (frames[-1].filename, frames[-1].lineno) if frames else ''
        print('%s: %s%s' % (type(e).__name__, e, where))
        failed = True
    finally:
        sys.stdout, sys.stderr = saved
    return buffer.getvalue(), failed
