"""Mininet's ``cleanup()``: what crashed swiftnet runs left behind, and only that (the
records in /run/swiftnet), as ``swiftnet clean`` does. Nothing is removed by name."""

import subprocess

from mininet._engine import swiftnet_binary
from mininet.log import info


def cleanup():
    info('*** Cleanup: what crashed swiftnet runs left behind (swiftnet clean)\n')
    result = subprocess.run([swiftnet_binary(), 'clean'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    info(result.stdout.decode(errors='replace'))


class Cleanup(object):
    cleanup = staticmethod(cleanup)

    @classmethod
    def addCleanupCallback(cls, callback):
        pass


def killprocs(pattern):
    from mininet._errors import Unsupported
    raise Unsupported('killprocs (killing processes by name)',
                      'swiftnet stops exactly the processes a run started, with the run')


def sh(cmd):
    from mininet.util import quietRun
    return quietRun(cmd)
